using GanCluster.Specs.Sweeps;
using GanCluster.Sweeps.Scoring;

namespace GanCluster.Sweeps.Sampling;

/// <summary>
/// Optuna's TPESampler with its defaults, univariate: random configurations until <see cref="TpeSearch.StartupTrials"/>
/// trials are scored, then the scored trials split into the best γ(n) = min(⌈0.1·n⌉, 25) and the rest, and each
/// parameter independently takes, of <see cref="TpeSearch.Candidates"/> draws from l (the good trials' Parzen
/// estimator), the one with the largest l(x)/g(x). Trials still running are not in the split, failed ones never are,
/// and a stopped trial counts with its best value (Optuna ranks pruned trials apart; ASHA's stopped trials are
/// simply worse here). A quantised loguniform is modelled continuously in log space, then snapped.
/// </summary>
internal sealed class TpeSource(ParameterSpace space, SweepRandom random, TpeSearch tpe, SweepMetric metric) : IConfigurationSource
{
    public bool Exhausted => false;

    public IReadOnlyList<double>? Next(IReadOnlyList<TrialRecord> trials)
    {
        var scored = trials
            .Select(t => (Trial: t, Score: SweepScoring.FinalScore(t.End, t.Best, metric)))
            .Where(s => s.Score is not null)
            .ToList();
        if (scored.Count < Math.Max(tpe.StartupTrials, 1))
            return RandomSource.Sample(space, random);

        var below = Math.Min((int)Math.Ceiling(0.1 * scored.Count), 25);
        // A stable sort: among equal scores the older trial is the better.
        var ranked = scored.OrderBy(s => metric.Goal == MetricGoal.Min ? s.Score!.Value : -s.Score!.Value).ToList();
        var good = ranked.Take(below).Select(s => s.Trial).OrderBy(t => t.Trial).ToList();
        var bad = ranked.Skip(below).Select(s => s.Trial).OrderBy(t => t.Trial).ToList();

        var raw = new double[space.Count];
        for (var i = 0; i < raw.Length; i++)
            raw[i] = SampleParameter(i, good, bad);
        return raw;
    }

    private double SampleParameter(int i, IReadOnlyList<TrialRecord> good, IReadOnlyList<TrialRecord> bad)
    {
        var domain = space[i].Domain;
        ParzenEstimator l, g;
        NumericAxis? axis = null;
        if (ParameterSpace.IsCategorical(domain))
        {
            var choices = ParameterSpace.Choices(domain).Count;
            l = new CategoricalParzenEstimator([.. good.Select(t => t.Raw[i])], choices);
            g = new CategoricalParzenEstimator([.. bad.Select(t => t.Raw[i])], choices);
        }
        else
        {
            axis = space.Axis(i);
            l = new NumericParzenEstimator([.. good.Select(t => axis.ToInternal(t.Raw[i]))], axis);
            g = new NumericParzenEstimator([.. bad.Select(t => axis.ToInternal(t.Raw[i]))], axis);
        }

        var best = double.NaN;
        var bestGain = double.NegativeInfinity;
        for (var c = 0; c < Math.Max(tpe.Candidates, 1); c++)
        {
            var x = l.Sample(random);
            var gain = l.LogDensity(x) - g.LogDensity(x);
            if (double.IsNaN(best) || gain > bestGain)
            {
                best = x;
                bestGain = gain;
            }
        }
        return axis is null ? best : space.Snap(i, axis.FromInternal(best));
    }
}
