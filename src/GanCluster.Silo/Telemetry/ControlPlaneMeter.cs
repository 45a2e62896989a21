using System.Diagnostics.Metrics;
using GanCluster.Contracts;
using GanCluster.Contracts.Grains;

namespace GanCluster.Silo.Telemetry;

/// <summary>
/// The silo's own metrics: runs by state, the queue, the ranks the queue waits for (what workers are autoscaled on),
/// workers by state, and API calls by method. The scheduler's numbers are exported only by the silo that holds it.
/// </summary>
public sealed class ControlPlaneMeter : IDisposable
{
    public const string Name = "GanCluster.Silo";

    private readonly Meter _meter = new(Name);
    private readonly Histogram<double> _calls;
    private readonly Counter<long> _errors;
    private volatile SchedulerStats? _stats;

    public ControlPlaneMeter()
    {
        _meter.CreateObservableGauge("gancluster_runs", () => Observe(s => s.RunsByState.Select(p => (p.Value, Tag("state", p.Key.ToString().ToLowerInvariant())))),
            description: "Runs by state");
        _meter.CreateObservableGauge("gancluster_queue_runs", () => Observe(s => [(s.QueuedRuns, (KeyValuePair<string, object?>?)null)]),
            description: "Runs waiting in the queue for a gang");
        _meter.CreateObservableGauge("gancluster_pending_ranks", () => Observe(s => [(s.PendingRanks, (KeyValuePair<string, object?>?)null)]),
            description: "Ranks the queued runs wait for: the gang demand workers are autoscaled on");
        _meter.CreateObservableGauge("gancluster_workers", () => Observe(s => [(s.IdleWorkers, Tag("state", "idle")), (s.TrainingWorkers, Tag("state", "training"))]),
            description: "Workers holding a lease, by state");
        _meter.CreateObservableGauge("gancluster_worker_replicas_needed", () => Observe(s => [(s.ReplicasNeeded, (KeyValuePair<string, object?>?)null)]),
            description: "Workers a StatefulSet should run: the training and pending ranks, and at least up to the highest ordinal holding a rank (what KEDA scales on)");
        _calls = _meter.CreateHistogram<double>("gancluster_api_call_seconds", "s", "Duration of API calls, by method");
        _errors = _meter.CreateCounter<long>("gancluster_api_errors", description: "API calls that failed, by method and gRPC status code");
    }

    /// <summary>The scheduler's latest numbers, or null when this silo does not hold it.</summary>
    public SchedulerStats? Stats
    {
        get => _stats;
        set => _stats = value;
    }

    public void Call(string method, TimeSpan elapsed, string? failedWith)
    {
        var tag = new KeyValuePair<string, object?>("method", method);
        _calls.Record(elapsed.TotalSeconds, tag);
        if (failedWith is not null)
            _errors.Add(1, tag, new KeyValuePair<string, object?>("code", failedWith));
    }

    private static KeyValuePair<string, object?>? Tag(string name, string value) => new(name, value);

    private IEnumerable<Measurement<int>> Observe(Func<SchedulerStats, IEnumerable<(int Value, KeyValuePair<string, object?>? Tag)>> values)
    {
        if (_stats is not { } stats)
            yield break;
        foreach (var (value, tag) in values(stats))
            yield return tag is { } t ? new Measurement<int>(value, t) : new Measurement<int>(value);
    }

    public void Dispose() => _meter.Dispose();
}
