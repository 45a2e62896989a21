using GanCluster.Contracts.Health;

namespace GanCluster.Contracts.Grains;

/// <summary>Everything a client may read about a run; <see cref="Waiting"/> says why a queued run is not placed yet.</summary>
[GenerateSerializer, Immutable, Alias("gancluster.RunSnapshot")]
public sealed record RunSnapshot(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] RunState State,
    [property: Id(3)] int WorldSize,
    [property: Id(4)] int Priority,
    [property: Id(5)] long Step,
    [property: Id(6)] long TotalSteps,
    [property: Id(7)] IReadOnlyList<string> Workers,
    [property: Id(14)] RunHealth? LatestHealth,
    [property: Id(15)] CheckpointRef? LastCheckpoint,
    [property: Id(10)] IReadOnlyList<RunEvent> Events,
    [property: Id(11)] string? Error,
    [property: Id(12)] DateTimeOffset SubmittedAt,
    [property: Id(13)] string Silo,
    [property: Id(16)] string? Waiting)
{
    public bool IsTerminal => State is RunState.Completed or RunState.Failed or RunState.Cancelled or RunState.Collapsed or RunState.Diverged;
}
