using System.Diagnostics.Metrics;
using GanCluster.Training.Telemetry;

namespace GanCluster.Rank;

/// <summary>
/// A rank process's meters: the health gauges of the runs it trains (labelled by run, and removed a while after a run ends),
/// and what training costs, labelled only by kind so that a long-lived worker's series stay bounded: step time,
/// all-reduce bytes and time per collective, checkpoint write time and size.
/// </summary>
public sealed class RankMeter : IDisposable
{
    public const string Name = "GanCluster.Rank";

    /// <summary>Step-time buckets from a fast MLP step on CPU (a few ms) to a DCGAN-64 step on a large batch (seconds).</summary>
    public static readonly double[] StepSecondsBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Meter _meter = new(Name);
    private readonly Histogram<double> _step;
    private readonly Counter<long> _allReduceBytes;
    private readonly Histogram<double> _allReduce;
    private readonly Histogram<double> _checkpoint;
    private readonly Counter<long> _checkpointBytes;

    /// <param name="seriesLinger">How long a finished run's health series stay (<see cref="TrainingMeter.DefaultLinger"/> when null).</param>
    public RankMeter(TimeSpan? seriesLinger = null)
    {
        Health = new(seriesLinger);
        _step = _meter.CreateHistogram<double>("gancluster_step_seconds", "s", "Wall time of one training step (compute, collectives and any report)");
        _allReduceBytes = _meter.CreateCounter<long>("gancluster_allreduce_bytes", "By", "Bytes this rank reduced, by collective");
        _allReduce = _meter.CreateHistogram<double>("gancluster_allreduce_seconds", "s", "Time in one collective, by collective (including the wait for slower ranks)");
        _checkpoint = _meter.CreateHistogram<double>("gancluster_checkpoint_write_seconds", "s", "Time to capture, write and verify one checkpoint");
        _checkpointBytes = _meter.CreateCounter<long>("gancluster_checkpoint_bytes", "By", "Bytes of checkpoints written");
    }

    /// <summary>The health gauges (<c>gancluster_d_loss</c> …) of every run this process trains.</summary>
    public TrainingMeter Health { get; }

    public void Step(TimeSpan elapsed) => _step.Record(elapsed.TotalSeconds);

    public void Collective(string kind, long bytes, TimeSpan elapsed)
    {
        var tag = new KeyValuePair<string, object?>("collective", kind);
        _allReduceBytes.Add(bytes, tag);
        _allReduce.Record(elapsed.TotalSeconds, tag);
    }

    public void Checkpoint(long bytes, TimeSpan elapsed)
    {
        _checkpoint.Record(elapsed.TotalSeconds);
        _checkpointBytes.Add(bytes);
    }

    public void Dispose()
    {
        Health.Dispose();
        _meter.Dispose();
    }
}
