using GanCluster.Contracts.Health;

namespace GanCluster.Contracts.Grains;

/// <summary>What a user submits: the effective spec (validated by the API), its name and step budget, and the gang size.</summary>
[GenerateSerializer, Immutable, Alias("gancluster.RunSubmission")]
public sealed record RunSubmission(
    [property: Id(0)] string Name,
    [property: Id(1)] string SpecYaml,
    [property: Id(2)] int WorldSize,
    [property: Id(3)] int Priority,
    [property: Id(4)] long TotalSteps,
    [property: Id(5)] bool StopOnCollapse = false);

/// <summary>One line of a run's history.</summary>
[GenerateSerializer, Immutable, Alias("gancluster.RunEvent")]
public sealed record RunEvent([property: Id(0)] DateTimeOffset At, [property: Id(1)] string Text);

/// <summary>Everything a client may read about a run.</summary>
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
    [property: Id(13)] string Silo)
{
    public bool IsTerminal => State is RunState.Completed or RunState.Failed or RunState.Cancelled or RunState.Collapsed or RunState.Diverged;
}

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

/// <summary>A worker as the scheduler sees it.</summary>
[GenerateSerializer, Immutable, Alias("gancluster.WorkerSnapshot")]
public sealed record WorkerSnapshot(
    [property: Id(0)] WorkerDescriptor Descriptor,
    [property: Id(1)] DateTimeOffset LastHeartbeat,
    [property: Id(2)] string? RunId,
    [property: Id(3)] int Rank);

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

/// <summary>What a worker needs to start its rank: the effective spec, the ring's secret, and the checkpoint to resume from.</summary>
[GenerateSerializer, Immutable, Alias("gancluster.RunLaunch")]
public sealed record RunLaunch(
    [property: Id(0)] string SpecYaml,
    [property: Id(1)] string Secret,
    [property: Id(4)] CheckpointRef? ResumeFrom,
    [property: Id(3)] int Attempt);

/// <summary>A rank's progress report: its step, and from rank 0 the latest health record and checkpoint.</summary>
[GenerateSerializer, Immutable, Alias("gancluster.RunProgress")]
public sealed record RunProgress(
    [property: Id(0)] int Rank,
    [property: Id(1)] long Step,
    [property: Id(5)] RunHealth? Health,
    [property: Id(6)] CheckpointRef? LastCheckpoint,
    [property: Id(4)] int Attempt);

/// <summary>The run grain's answer to a report.</summary>
[GenerateSerializer, Alias("gancluster.RunDirective")]
public enum RunDirective
{
    Continue = 0,
    Stop = 1,
}
