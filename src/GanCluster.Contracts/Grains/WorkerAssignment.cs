namespace GanCluster.Contracts.Grains;

/// <summary>A rank of a placed gang: the run, this worker's rank, and every rank's ring endpoint in rank order.</summary>
[GenerateSerializer, Immutable, Alias("gancluster.WorkerAssignment")]
public sealed record WorkerAssignment(
    [property: Id(0)] string RunId,
    [property: Id(1)] int Rank,
    [property: Id(2)] IReadOnlyList<string> RingEndpoints,
    [property: Id(3)] long Placement)
{
    /// <summary>Whether this is the same placement (a run placed again gets a new number).</summary>
    public bool SamePlacement(WorkerAssignment? other) => other is not null && other.RunId == RunId && other.Placement == Placement && other.Rank == Rank;
}
