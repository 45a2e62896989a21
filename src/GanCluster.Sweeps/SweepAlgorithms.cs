using GanCluster.Specs.Sweeps;
using GanCluster.Sweeps.Population;
using GanCluster.Sweeps.Sampling;
using GanCluster.Sweeps.Stopping;

namespace GanCluster.Sweeps;

/// <summary>Builds the algorithm a sweep spec names, in its initial state.</summary>
public static class SweepAlgorithms
{
    /// <summary>A fresh algorithm for the spec; two built from equal specs and fed the same calls decide the same.</summary>
    public static ISweepAlgorithm Create(SweepSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Seeds.Count == 0)
            throw new ArgumentException($"sweep '{spec.Name}': no seeds");
        var space = new ParameterSpace(spec.Parameters);
        var random = new SweepRandom(spec.Seed);
        return spec.Algorithm switch
        {
            AshaSearch asha => new SearchSweep(spec, space, Source(asha.Sampler ?? new RandomSearch(), spec, space, random),
                new AshaRule(asha, spec.Metric, spec.StepsPerTrial)),
            PbtSearch pbt => new PbtSweep(spec, space, Checked(pbt)),
            var algorithm => new SearchSweep(spec, space, Source(algorithm, spec, space, random), null),
        };
    }

    private static PbtSearch Checked(PbtSearch pbt)
    {
        if (pbt.IntervalSteps <= 0 || pbt.PopulationSize < 2 || pbt.Quantile is <= 0 or > 0.5 || pbt.ResampleProbability is < 0 or > 1
            || pbt.PerturbationFactors.Count == 0 || pbt.PerturbationFactors.Any(f => !(f > 0)))
            throw new ArgumentException($"pbt: {pbt} is not a population a search can run");
        return pbt;
    }

    private static IConfigurationSource Source(SearchAlgorithm algorithm, SweepSpec spec, ParameterSpace space, SweepRandom random) => algorithm switch
    {
        GridSearch => new GridSource(space),
        RandomSearch => new RandomSource(space, random),
        TpeSearch tpe => new TpeSource(space, random, tpe, spec.Metric),
        _ => throw new NotSupportedException($"sweep '{spec.Name}': {algorithm.GetType().Name} cannot choose configurations here"),
    };
}
