namespace GanCluster.Contracts.Grains;

/// <summary>A worker as the scheduler sees it.</summary>
[GenerateSerializer, Immutable, Alias("gancluster.WorkerSnapshot")]
public sealed record WorkerSnapshot(
    [property: Id(0)] WorkerDescriptor Descriptor,
    [property: Id(1)] DateTimeOffset LastHeartbeat,
    [property: Id(2)] string? RunId,
    [property: Id(3)] int Rank);
