using GanCluster.Specs.Sweeps;
using GanCluster.Sweeps.Sampling;

namespace GanCluster.Sweeps.Population;

/// <summary>
/// PBT's truncation selection (Jaderberg et al. 2017, as Ray Tune does it): of n members ranked by score, the bottom
/// q = min(⌈n·quantile⌉, ⌊n/2⌋) each copy a member of the top q drawn uniformly, then explore: each parameter is
/// resampled from its domain with the resample probability, else multiplied by one of the factors (snapped back into
/// its domain), or for a list moved one place down (factor below 1) or up.
/// </summary>
internal sealed class PbtPolicy(PbtSearch pbt, ParameterSpace space, SweepMetric metric)
{
    /// <summary>The exploits of one boundary, in trial order; every random draw comes from <paramref name="random"/>, in that order.</summary>
    public IReadOnlyList<PbtExploit> Decide(IReadOnlyList<PbtMember> members, SweepRandom random)
    {
        var (top, bottom) = Split(members);
        var exploits = new List<PbtExploit>();
        foreach (var target in bottom.OrderBy(m => m.Trial))
        {
            var source = top[random.NextIndex(top.Count)];
            exploits.Add(new PbtExploit(target.Trial, source.Trial, Explore(source.Raw, random)));
        }
        return exploits;
    }

    /// <summary>The top and bottom quantiles, best first and worst last; a NaN score is the worst, ties go to the older trial.</summary>
    public (IReadOnlyList<PbtMember> Top, IReadOnlyList<PbtMember> Bottom) Split(IReadOnlyList<PbtMember> members)
    {
        var q = Math.Min((int)Math.Ceiling(members.Count * pbt.Quantile), members.Count / 2);
        var ranked = members
            .OrderBy(m => double.IsNaN(m.Score) ? 1 : 0)
            .ThenBy(m => metric.Goal == MetricGoal.Min ? m.Score : -m.Score)
            .ThenBy(m => m.Trial)
            .ToList();
        return (ranked.Take(q).ToList(), ranked.TakeLast(q).ToList());
    }

    public double[] Explore(IReadOnlyList<double> raw, SweepRandom random)
    {
        var factors = pbt.PerturbationFactors;
        var explored = new double[raw.Count];
        for (var i = 0; i < raw.Count; i++)
        {
            if (random.NextDouble() < pbt.ResampleProbability)
            {
                explored[i] = space.SampleUniform(i, random);
                continue;
            }
            var factor = factors[random.NextIndex(factors.Count)];
            var domain = space[i].Domain;
            explored[i] = ParameterSpace.IsCategorical(domain)
                ? Math.Clamp(raw[i] + Math.Sign(factor - 1), 0, ParameterSpace.Choices(domain).Count - 1)
                : space.Snap(i, raw[i] * factor);
        }
        return explored;
    }
}
