using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace GanCluster.Silo.Telemetry;

/// <summary>
/// The sweeps' metrics, exported by the silo where each sweep's grain is active: its trials by state, its best
/// score so far, the newest score and step of each trial still training and of the 64 newest that ended (the
/// sweep dashboard plots them against each other), and its decisions (ASHA stops, PBT exploits) as a counter the dashboard marks as annotations.
/// A sweep's grain publishes a summary after each change and withdraws it when it deactivates, so a sweep moved to
/// another silo is exported there only.
/// </summary>
public sealed class SweepMeter : IDisposable
{
    public const string Name = "GanCluster.Silo.Sweeps";

    /// <summary>How many ended trials' newest scores stay exported beside the trials still training.</summary>
    public const int EndedTrialsShown = 64;

    private readonly Meter _meter = new(Name);
    private readonly ConcurrentDictionary<string, SweepGauges> _sweeps = new(StringComparer.Ordinal);
    private readonly Counter<long> _decisions;

    public SweepMeter()
    {
        _meter.CreateObservableGauge("gancluster_sweep_trials", () => _sweeps.Values.SelectMany(s =>
                s.TrialsByState.Select(p => new Measurement<int>(p.Value, Tag("sweep", s.Sweep), Tag("state", p.Key)))),
            description: "A sweep's trials by state (stopped: ended early by the sweep, by ASHA or a collapse)");
        _meter.CreateObservableGauge("gancluster_sweep_best", () => _sweeps.Values.Where(s => s.Best is not null).Select(s =>
                new Measurement<double>(s.Best!.Value, Tag("sweep", s.Sweep), Tag("metric", s.Metric))),
            description: "The best score a sweep's trials have reached so far, by its metric");
        _meter.CreateObservableGauge("gancluster_sweep_trial_score", () => _sweeps.Values.SelectMany(s => s.Training.Select(t =>
                new Measurement<double>(t.Score, Tag("sweep", s.Sweep), Tag("trial", t.Trial), Tag("metric", s.Metric)))),
            description: "The newest score of each trial still training (and of the newest that ended), by the sweep's metric");
        _meter.CreateObservableGauge("gancluster_sweep_trial_step", () => _sweeps.Values.SelectMany(s => s.Training.Select(t =>
                new Measurement<long>(t.Step, Tag("sweep", s.Sweep), Tag("trial", t.Trial)))),
            description: "The step of each trial's newest score (trials still training and the newest that ended)");
        _decisions = _meter.CreateCounter<long>("gancluster_sweep_decisions", description: "Decisions a sweep made about its trials: stop (ASHA, a collapse) or exploit (PBT)");
    }

    public void Publish(SweepGauges gauges) => _sweeps[gauges.Sweep] = gauges;

    public void Withdraw(string sweep) => _sweeps.TryRemove(sweep, out _);

    public void Decided(string sweep, string decision) => _decisions.Add(1, Tag("sweep", sweep), Tag("decision", decision));

    private static KeyValuePair<string, object?> Tag(string name, object value) => new(name, value.ToString());

    public void Dispose() => _meter.Dispose();
}

/// <summary>What a sweep exports: trials by state, the best score, and the newest score and step of each trial still training.</summary>
public sealed record SweepGauges(string Sweep, string Metric, IReadOnlyDictionary<string, int> TrialsByState, double? Best, IReadOnlyList<(int Trial, long Step, double Score)> Training);
