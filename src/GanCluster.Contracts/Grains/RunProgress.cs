using GanCluster.Contracts.Health;

namespace GanCluster.Contracts.Grains;

/// <summary>A rank's progress report: its step, and from rank 0 the latest health record and checkpoint.</summary>
[GenerateSerializer, Immutable, Alias("gancluster.RunProgress")]
public sealed record RunProgress(
    [property: Id(0)] int Rank,
    [property: Id(1)] long Step,
    [property: Id(5)] RunHealth? Health,
    [property: Id(6)] CheckpointRef? LastCheckpoint,
    [property: Id(4)] int Attempt);
