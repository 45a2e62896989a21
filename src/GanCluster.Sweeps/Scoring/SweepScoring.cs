using GanCluster.Specs.Sweeps;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.Statistics;

namespace GanCluster.Sweeps.Scoring;

/// <summary>How trials and configurations are scored: the one place the rules live, pure functions of the evaluations.</summary>
public static class SweepScoring
{
    /// <summary>A trial's score: its best value (NaN never counts) with the step where it happened, or null when none was a number.</summary>
    public static TrialScore? Best(IEnumerable<MetricEvaluation> evaluations, SweepMetric metric)
    {
        TrialScore? best = null;
        foreach (var e in evaluations)
            if (metric.IsBetter(e.Value, best?.Value ?? double.NaN))
                best = new TrialScore(e.Value, e.Step);
        return best;
    }

    /// <summary>
    /// The score a search learns from once a trial has ended: the metric's worst if it collapsed or diverged, its best
    /// value if it completed or was stopped, and none if it failed, is still running or never gave a number.
    /// </summary>
    public static double? FinalScore(TrialEnd? end, TrialScore? best, SweepMetric metric) => end switch
    {
        TrialEnd.Collapsed or TrialEnd.Diverged => metric.Worst,
        TrialEnd.Completed or TrialEnd.Stopped => best?.Value,
        _ => null,
    };

    /// <summary>The aggregate of one configuration's trials (one per seed).</summary>
    public static ConfigurationAggregate Aggregate(int configuration, IReadOnlyCollection<TrialOutcome> trials, SweepMetric metric)
    {
        var values = trials
            .Where(t => t.End is not (TrialEnd.Collapsed or TrialEnd.Diverged or TrialEnd.Failed) && t.Best is not null)
            .Select(t => t.Best!.Value)
            .ToArray();
        var n = values.Length;
        var mean = n > 0 ? values.Mean() : double.NaN;
        var sd = n > 1 ? values.StandardDeviation() : double.NaN;
        var half = n > 1 ? StudentT.InvCDF(0, 1, n - 1, 0.975) * sd / Math.Sqrt(n) : double.NaN;
        var sorted = values.Order().ToArray();
        var median = n == 0 ? double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        var (best, worst) = n == 0 ? (double.NaN, double.NaN)
            : metric.Goal == MetricGoal.Min ? (sorted[0], sorted[^1]) : (sorted[^1], sorted[0]);
        return new ConfigurationAggregate(
            configuration,
            trials.Count,
            n,
            trials.Count(t => t.End == TrialEnd.Collapsed),
            trials.Count(t => t.End == TrialEnd.Diverged),
            mean,
            sd,
            mean - half,
            mean + half,
            median,
            best,
            worst);
    }

    /// <summary>
    /// Every configuration's aggregate, best first: by mean under the metric's goal, except that a configuration with a
    /// collapsed or diverged seed (whose score is the worst) comes after every one without, fewer such seeds first;
    /// a configuration with no scored seed comes last; ties go to the earlier configuration.
    /// </summary>
    public static IReadOnlyList<ConfigurationAggregate> Rank(IEnumerable<TrialOutcome> trials, SweepMetric metric) =>
        [.. trials
            .GroupBy(t => t.Configuration)
            .Select(g => Aggregate(g.Key, [.. g], metric))
            .OrderBy(a => a.Collapsed + a.Diverged)
            .ThenBy(a => double.IsNaN(a.Mean))
            .ThenBy(a => metric.Goal == MetricGoal.Min ? a.Mean : -a.Mean)
            .ThenBy(a => a.Configuration)];
}
