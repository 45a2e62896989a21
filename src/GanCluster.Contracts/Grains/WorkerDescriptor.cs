namespace GanCluster.Contracts.Grains;

/// <summary>What a worker tells the scheduler about itself on every heartbeat.</summary>
[GenerateSerializer, Immutable, Alias("gancluster.WorkerDescriptor")]
public sealed record WorkerDescriptor(
    [property: Id(0)] string Id,
    [property: Id(1)] string Host,
    [property: Id(2)] string Device,
    [property: Id(3)] int Threads,
    [property: Id(4)] string RingEndpoint)
{
    /// <summary>The assignment the worker is running, so that a restarted scheduler can adopt it instead of revoking it.</summary>
    [Id(5)]
    public WorkerAssignment? Running { get; init; }
}
