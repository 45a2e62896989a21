using GanCluster.Specs.Sweeps;
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
            var algorithm => new SearchSweep(spec, space, Source(algorithm, spec, space, random), null),
        };
    }

    private static IConfigurationSource Source(SearchAlgorithm algorithm, SweepSpec spec, ParameterSpace space, SweepRandom random) => algorithm switch
    {
        GridSearch => new GridSource(space),
        RandomSearch => new RandomSource(space, random),
        TpeSearch tpe => new TpeSource(space, random, tpe, spec.Metric),
        _ => throw new NotSupportedException($"sweep '{spec.Name}': {algorithm.GetType().Name} cannot choose configurations here"),
    };
}
