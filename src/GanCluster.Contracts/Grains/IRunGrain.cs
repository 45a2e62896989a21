using Orleans.Concurrency;

namespace GanCluster.Contracts.Grains;

/// <summary>One run, keyed by its id: spec, state machine, assignment, progress, health, checkpoints and history.</summary>
[Alias("gancluster.IRunGrain")]
public interface IRunGrain : IGrainWithStringKey
{
    /// <summary>Records a new run as Pending; submitting the same id twice is an error.</summary>
    [Alias("Submit")]
    Task<RunSnapshot> Submit(RunSubmission submission);

    /// <summary>
    /// The run, or null when no run has this id. A read may interleave with a call that is waiting on the
    /// scheduler, so the scheduler's audit (which reads runs) can never deadlock with a run calling the scheduler.
    /// </summary>
    [Alias("Get"), AlwaysInterleave]
    Task<RunSnapshot?> Get();

    /// <summary>The records with a periodic evaluation after <paramref name="afterStep"/> (kept for trials of a sweep, which catches up on them after a failover).</summary>
    [Alias("Evaluations"), AlwaysInterleave]
    Task<IReadOnlyList<Health.RunHealth>> Evaluations(long afterStep);

    /// <summary>Cancels a run that has not ended; a no-op (returning the snapshot) on an ended one.</summary>
    [Alias("Cancel")]
    Task<RunSnapshot> Cancel(string reason);

    /// <summary>The scheduler placed the run on these workers (rank order). One-way, so the scheduler never waits on a run that waits on it.</summary>
    [Alias("Placed"), OneWay]
    Task Placed(IReadOnlyList<string> workers);

    /// <summary>Why the queued run is not placed yet (shown by `run show`). One-way, like <see cref="Placed"/>.</summary>
    [Alias("Waiting"), OneWay]
    Task Waiting(string reason);

    /// <summary>A placed worker starts its rank; null when the run is no longer placed on it (cancelled meanwhile).</summary>
    [Alias("Join")]
    Task<RunLaunch?> Join(int rank, string workerId);

    /// <summary>Progress from a rank; the answer tells it whether to go on.</summary>
    [Alias("Report")]
    Task<RunDirective> Report(RunProgress progress);

    /// <summary>
    /// A rank of an attempt ended; rank 0's outcome is the run's. A retryable failure (a lost peer) puts the run
    /// back in the queue to resume from its last checkpoint; reports of older attempts are ignored.
    /// </summary>
    [Alias("Finished")]
    Task Finished(int rank, int attempt, RunState outcome, long step, string? error, bool retryable);

    /// <summary>
    /// The worker holding <paramref name="rank"/> is shutting down (a pod deleted, a node drained) and is about to
    /// stop its rank after the current step: the attempt's stop is then a requeue from its checkpoint, not a cancel.
    /// </summary>
    [Alias("Draining")]
    Task Draining(int rank, int attempt, string reason);

    /// <summary>The scheduler lost this run's workers (a missed lease, or not back after a silo restart): requeue from the last checkpoint. <paramref name="reason"/> goes into the history.</summary>
    [Alias("WorkerLost"), OneWay]
    Task WorkerLost(string reason);
}
