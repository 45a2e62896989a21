namespace GanCluster.Contracts.Grains;

/// <summary>Everything a client may read about a sweep.</summary>
[GenerateSerializer, Immutable, Alias("gancluster.SweepSnapshot")]
public sealed record SweepSnapshot(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] SweepState State,
    [property: Id(3)] string Algorithm,
    [property: Id(4)] string Metric,
    [property: Id(5)] bool Maximise,
    [property: Id(6)] int MaxTrials,
    [property: Id(7)] int MaxConcurrentTrials,
    [property: Id(8)] IReadOnlyList<TrialSnapshot> Trials,
    [property: Id(9)] IReadOnlyList<RunEvent> Events,
    [property: Id(10)] DateTimeOffset SubmittedAt,
    [property: Id(11)] string? Error)
{
    public bool IsTerminal => State is not SweepState.Running;
}
