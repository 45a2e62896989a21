using GanCluster.Contracts.Grains;
using GanCluster.Silo.Telemetry;
using GanCluster.Specs;
using GanCluster.Specs.Sweeps;
using GanCluster.Sweeps;

namespace GanCluster.Silo.Sweeps;

/// <summary>What a sweep's record shows to the outside: its snapshot for the API, and its gauges for Prometheus.</summary>
internal static class SweepViews
{
    /// <summary>The trial with the best score by the metric (the first of equals), or null while none has scored.</summary>
    public static TrialRecord? BestTrial(SweepRecord sweep, SweepMetric metric)
    {
        TrialRecord? best = null;
        foreach (var trial in sweep.Trials)
        {
            if (trial.Best is { } value && (best is null || metric.IsBetter(value, best.Best!.Value)))
                best = trial;
        }
        return best;
    }

    /// <summary>
    /// Trials by state, the best score, and the newest score and step of the trials still training and of the newest
    /// that ended (their last point reaches a scrape): a bounded set however long the sweep.
    /// </summary>
    public static SweepGauges Gauges(SweepRecord sweep, SweepMetric metric)
    {
        var byState = sweep.Trials.GroupBy(t => t.Ended && t.Stopped is not null ? "stopped" : t.State.ToString().ToLowerInvariant()).ToDictionary(g => g.Key, g => g.Count());
        var shown = sweep.Trials.Where(t => !t.Ended).Concat(sweep.Trials.Where(t => t.Ended).TakeLast(SweepMeter.EndedTrialsShown));
        var training = shown.Where(t => t.Curve.Count > 0).Select(t => (t.Trial, t.Curve[^1].Step, t.Curve[^1].Value)).ToList();
        return new SweepGauges(sweep.Id, metric.Name, byState, BestTrial(sweep, metric)?.Best, training);
    }

    public static SweepSnapshot Snapshot(SweepRecord s, SweepSpec? spec) =>
        new(s.Id, spec?.Name ?? "", s.State, spec is null ? "" : SweepDefinition.AlgorithmName(spec.Algorithm), spec?.Metric.Name ?? "",
            spec?.Metric.Goal == MetricGoal.Max, spec?.MaxTrials ?? 0, spec?.MaxConcurrentTrials ?? 0,
            [.. s.Trials.Select(t => new TrialSnapshot(t.Trial, t.RunId, t.Configuration, t.Values, t.Seed, t.State, t.Step, t.Best, t.BestStep, t.Stopped, [.. t.Curve])
            {
                BestRunId = t.BestRunId,
                Lineage = [.. t.Segments.Select(g => new TrialSegmentSnapshot(g.RunId, g.FromStep, g.ToStep, g.SourceTrial, g.Configuration, g.Values))],
            })],
            [.. s.Events], s.SubmittedAt, s.Error);
}
