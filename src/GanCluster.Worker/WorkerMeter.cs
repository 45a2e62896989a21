using System.Diagnostics.Metrics;

namespace GanCluster.Worker;

/// <summary>The worker's own state for Prometheus: idle or training, and the device it trains on.</summary>
public sealed class WorkerMeter : IDisposable
{
    public const string Name = "GanCluster.Worker";

    private readonly Meter _meter = new(Name);
    private volatile bool _training;

    public WorkerMeter(Microsoft.Extensions.Options.IOptions<WorkerOptions> settings)
    {
        var options = settings.Value;
        _meter.CreateObservableGauge("gancluster_worker_state", () => new[]
        {
            new Measurement<int>(_training ? 0 : 1, new KeyValuePair<string, object?>("state", "idle")),
            new Measurement<int>(_training ? 1 : 0, new KeyValuePair<string, object?>("state", "training")),
        }, description: "1 for the state the worker is in (idle or training), 0 for the other");
        _meter.CreateObservableGauge("gancluster_worker_info", () => new Measurement<int>(1,
            new KeyValuePair<string, object?>("worker", options.Id), new KeyValuePair<string, object?>("device", Device),
            new KeyValuePair<string, object?>("threads", options.Threads)), description: "The worker's name, device and torch threads (always 1)");
    }

    /// <summary>The device ranks train on here: CPU until the CUDA build is installed.</summary>
    public string Device { get; set; } = "cpu";

    public bool Training
    {
        get => _training;
        set => _training = value;
    }

    public void Dispose() => _meter.Dispose();
}
