using Orleans.Concurrency;

namespace GanCluster.Contracts.Grains;

/// <summary>The one scheduler (key 0): the run index, the priority queue with gang placement, and worker leases.</summary>
[Alias("gancluster.ISchedulerGrain")]
public interface ISchedulerGrain : IGrainWithIntegerKey
{
    /// <summary>Queues a run; it is not placed before <paramref name="notBefore"/> (a retry backing off).</summary>
    [Alias("Enqueue")]
    Task Enqueue(string runId, int worldSize, int priority, DateTimeOffset notBefore);

    /// <summary>
    /// Takes a run out of the queue and frees its workers. With <paramref name="suspectWorkers"/> (a peer was lost)
    /// they are placed on again only after a fresh heartbeat, so a dead one is never chosen.
    /// </summary>
    [Alias("Remove")]
    Task Remove(string runId, bool suspectWorkers);

    /// <summary>Every run id ever submitted, oldest first.</summary>
    [Alias("Runs")]
    Task<IReadOnlyList<string>> Runs();

    /// <summary>Registers or renews a worker's lease; returns its assignment when it has one.</summary>
    [Alias("Heartbeat")]
    Task<WorkerAssignment?> Heartbeat(WorkerDescriptor worker);

    /// <summary>Every worker with a lease, and what it runs.</summary>
    [Alias("Workers")]
    Task<IReadOnlyList<WorkerSnapshot>> Workers();

    /// <summary>The worker is going away (drained before its pod stops): its lease ends now, so nothing is placed on it.</summary>
    [Alias("Leave")]
    Task Leave(string workerId);

    /// <summary>Tells <paramref name="observer"/> of the worker's placements as they happen; renewed by the worker, since activations forget it.</summary>
    [Alias("Subscribe")]
    Task Subscribe(string workerId, IWorkerObserver observer);

    /// <summary>A run moved to <paramref name="state"/>: the scheduler counts runs by state for the metrics.</summary>
    [Alias("RunStateChanged"), OneWay]
    Task RunStateChanged(string runId, RunState state);

    /// <summary>The scheduler's numbers for the metrics, read by every silo.</summary>
    [Alias("Stats"), AlwaysInterleave]
    Task<SchedulerStats> Stats();
}
