using GanCluster.Contracts.Control;
using GanCluster.Contracts.Grains;
using GanCluster.Silo.Sweeps;
using GanCluster.Specs.Sweeps;
using GanCluster.Sweeps.Scoring;
using SweepState = GanCluster.Contracts.Control.SweepState;
using RunState = GanCluster.Contracts.Control.RunState;
using TrialPoint = GanCluster.Contracts.Control.TrialPoint;

namespace GanCluster.Silo.Api;

/// <summary>Sweep snapshots as API messages, with each configuration's score across its seeds.</summary>
public static class SweepMessages
{
    public static Sweep From(SweepSnapshot s) => From(s, withDetail: true);

    public static Sweep From(SweepSnapshot s, bool withDetail)
    {
        var sweep = new Sweep
        {
            Id = s.Id, Name = s.Name, State = (SweepState)(int)s.State, Algorithm = s.Algorithm, Metric = s.Metric, Maximise = s.Maximise,
            MaxTrials = s.MaxTrials, MaxConcurrentTrials = s.MaxConcurrentTrials, SubmittedUnixMs = s.SubmittedAt.ToUnixTimeMilliseconds(), Error = s.Error ?? "",
        };
        foreach (var t in s.Trials)
        {
            var trial = new Trial
            {
                Number = t.Trial, RunId = t.RunId, Configuration = t.Configuration, Seed = t.Seed, State = (RunState)(int)t.State, Step = t.Step, Stopped = t.Stopped ?? "",
                BestRunId = t.BestRunId ?? t.RunId,
            };
            foreach (var (path, value) in t.Values)
                trial.Values[path] = value;
            if (t.Best is { } best)
                (trial.Best, trial.BestStep) = (best, t.BestStep ?? 0);
            if (withDetail)
                trial.Curve.AddRange(t.Curve.Select(p => new TrialPoint { Step = p.Step, Value = p.Value }));
            foreach (var g in t.Lineage)
            {
                var segment = new Contracts.Control.TrialSegment { RunId = g.RunId, FromStep = g.FromStep, ToStep = g.ToStep, Configuration = g.Configuration };
                if (g.SourceTrial is { } source)
                    segment.SourceTrial = source;
                foreach (var (path, value) in g.Values)
                    segment.Values[path] = value;
                trial.Lineage.Add(segment);
            }
            sweep.Trials.Add(trial);
        }
        sweep.Configurations.AddRange(Summaries(s));
        if (withDetail)
            sweep.Events.AddRange(s.Events.Select(e => new RunEventMessage { UnixMs = e.At.ToUnixTimeMilliseconds(), Text = e.Text }));
        return sweep;
    }

    /// <summary>Each configuration across its seeds, best first, by the one set of scoring rules (<see cref="SweepScoring"/>).</summary>
    private static IEnumerable<ConfigurationSummary> Summaries(SweepSnapshot s)
    {
        var metric = new SweepMetric(s.Metric, s.Maximise ? MetricGoal.Max : MetricGoal.Min);
        var outcomes = s.Trials.Select(t => new TrialOutcome(t.Trial, t.Configuration, t.Seed, TrialEnds.Of(t.State, t.Stopped),
            t.Best is { } best ? new TrialScore(best, t.BestStep ?? 0) : null)).ToList();
        foreach (var a in SweepScoring.Rank(outcomes, metric))
        {
            var summary = new ConfigurationSummary
            {
                Configuration = a.Configuration, Seeds = a.Seeds, Scored = a.Scored, Mean = a.Mean, StandardDeviation = a.StandardDeviation,
                CiLow = a.ConfidenceLow, CiHigh = a.ConfidenceHigh, Median = a.Median, Worst = a.Worst, Collapsed = a.Collapsed,
            };
            foreach (var (path, value) in s.Trials.First(t => t.Configuration == a.Configuration).Values)
                summary.Values[path] = value;
            yield return summary;
        }
    }
}
