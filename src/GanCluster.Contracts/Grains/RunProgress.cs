using GanCluster.Contracts.Health;

namespace GanCluster.Contracts.Grains;

/// <summary>
/// A rank's progress report: its step, and from rank 0 the latest health record, the checkpoint, and every record
/// that carried a fresh periodic evaluation since the last report (a sweep scores its trials on these, not on
/// whichever record a report happened to catch).
/// </summary>
[GenerateSerializer, Immutable, Alias("gancluster.RunProgress")]
public sealed record RunProgress(
    [property: Id(0)] int Rank,
    [property: Id(1)] long Step,
    [property: Id(5)] RunHealth? Health,
    [property: Id(6)] CheckpointRef? LastCheckpoint,
    [property: Id(4)] int Attempt)
{
    [Id(7)]
    public IReadOnlyList<RunHealth> Evaluations { get; init; } = [];
}
