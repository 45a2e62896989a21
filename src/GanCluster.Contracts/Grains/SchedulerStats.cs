using GanCluster.Contracts;

namespace GanCluster.Contracts.Grains;

/// <summary>
/// The scheduler's numbers for the silo's metrics: runs by state, the queue, the ranks the queue waits for (the
/// autoscaling signal) and workers by state, with the silo the scheduler lives on (only that silo exports them).
/// <see cref="ReplicasNeeded"/> is what a StatefulSet of workers is scaled to: enough for the training and the
/// pending ranks, and never fewer than the highest ordinal holding a rank, so that scaling in (which removes the
/// highest ordinals first) only ever removes idle workers.
/// </summary>
[GenerateSerializer, Immutable, Alias("gancluster.SchedulerStats")]
public sealed record SchedulerStats(
    [property: Id(0)] string Silo,
    [property: Id(1)] IReadOnlyDictionary<RunState, int> RunsByState,
    [property: Id(2)] int QueuedRuns,
    [property: Id(3)] int PendingRanks,
    [property: Id(4)] int IdleWorkers,
    [property: Id(5)] int TrainingWorkers,
    [property: Id(6)] int ReplicasNeeded);
