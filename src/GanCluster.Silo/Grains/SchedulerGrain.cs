using GanCluster.Contracts;
using GanCluster.Contracts.Grains;
using GanCluster.Silo.Scheduling;
using GanCluster.Silo.Security;
using GanCluster.Silo.Storage;

namespace GanCluster.Silo.Grains;

/// <summary>
/// The single scheduler: keeps the index of runs, queues them, renews worker leases on heartbeats and places gangs.
/// Every call is short; placement happens on enqueue and on heartbeats, and expired leases are collected on
/// each heartbeat, so no blocking call is needed. A durable reminder audits the runs once a minute: it brings the
/// scheduler back on a surviving silo after a failover even when no worker is left to call it, and it
/// requeues runs that claim to be running on workers the scheduler no longer holds.
/// </summary>
public sealed class SchedulerGrain(
    IRowStorage storage,
    Orleans.Runtime.ILocalSiloDetails silo) : Grain, ISchedulerGrain, IRemindable
{
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(6);
    private const string AuditReminder = "audit";
    private static readonly TimeSpan AuditPeriod = TimeSpan.FromMinutes(1);

    private readonly GangScheduler _gangs = new(Lease);
    private readonly SchedulerJournal _state = new(storage);

    // Soft state like the leases: each worker renews its subscription, so a new activation relearns them within seconds.
    private readonly Dictionary<string, IWorkerObserver> _observers = new(StringComparer.Ordinal);
    private readonly DateTimeOffset _activatedAt = DateTimeOffset.UtcNow;

    // What each queued run was last told about why it waits, so that it is told again only when that changes.
    private readonly Dictionary<string, string> _waiting = new(StringComparer.Ordinal);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await _state.Load();
        _gangs.Restore(_state.Queue);
        // After a restart, running work comes back with its workers' heartbeats. A run whose workers did not
        // come back within two leases is treated as having lost them.
        this.RegisterGrainTimer(ReconcileAsync, new GrainTimerCreationOptions(2 * Lease, Timeout.InfiniteTimeSpan));
        await this.RegisterOrUpdateReminder(AuditReminder, AuditPeriod, AuditPeriod);
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) =>
        // Only audit once leases have had time to come back (an activation made by the reminder itself starts empty).
        _activatedAt + 2 * Lease < DateTimeOffset.UtcNow ? ReconcileAsync(CancellationToken.None) : Task.CompletedTask;

    private async Task ReconcileAsync(CancellationToken cancellation)
    {
        var held = _gangs.Workers.Where(w => w.RunId is not null).Select(w => w.RunId!).ToHashSet();
        // Only runs that have not ended: finished runs are never activated again by the audit.
        foreach (var id in _state.Active().Where(id => !held.Contains(id) && !_gangs.Queue.Any(q => q.RunId == id)).ToList())
        {
            var run = GrainFactory.GetGrain<IRunGrain>(id);
            if (await run.Get() is { State: Contracts.RunState.Scheduled or Contracts.RunState.Running })
                await run.WorkerLost("its workers are no longer held by the scheduler (they did not come back after a silo restart or failover)");
        }
    }

    private static CallerIdentity Caller => CallerIdentity.Current;

    public async Task Enqueue(string runId, int worldSize, int priority, DateTimeOffset notBefore)
    {
        Caller.RequireControl("queue runs");
        _state.Track(runId, RunState.Pending, active: true);
        _gangs.Enqueue(runId, worldSize, priority, notBefore);
        await PlaceAndSave(queueChanged: true);
    }

    public async Task Remove(string runId, bool suspectWorkers)
    {
        Caller.RequireInternal("remove runs from the scheduler");
        // Its workers learn at once that the run is no longer theirs (a cancel stops them within a heartbeat's time).
        foreach (var worker in _gangs.Workers.Where(w => w.RunId == runId).Select(w => w.Descriptor.Id).ToList())
            Notify(worker);
        _gangs.Remove(runId, suspectWorkers ? DateTimeOffset.UtcNow : null);
        _state.Track(runId, active: false); // a requeue enqueues it again right after
        _waiting.Remove(runId);
        await PlaceAndSave(queueChanged: true);
    }

    public Task<IReadOnlyList<string>> Runs()
    {
        Caller.RequireControl("list runs");
        return Task.FromResult<IReadOnlyList<string>>([.. _state.Runs.Select(r => r.Id)]);
    }

    public async Task<WorkerAssignment?> Heartbeat(WorkerDescriptor worker)
    {
        Caller.RequireWorker(worker.Id, $"heartbeat as {worker.Id}");
        var now = DateTimeOffset.UtcNow;
        if (_gangs.Heartbeat(worker, now) is { Adopted: true } adopted)
            await VerifyAdopted(adopted, worker.Id);
        foreach (var lost in _gangs.Expire(now).Where(w => w.RunId is not null))
        {
            _gangs.Remove(lost.RunId!, now);
            await GrainFactory.GetGrain<IRunGrain>(lost.RunId!).WorkerLost($"worker {lost.Descriptor.Id} missed its lease");
        }
        if (_gangs.Queue.Count > 0)
            await PlaceAndSave(queueChanged: false);
        var lease = _gangs.Worker(worker.Id)!;
        if (lease.RunId is null)
            return null;
        var gang = _gangs.Workers.Where(w => w.RunId == lease.RunId).OrderBy(w => w.Rank).Select(w => w.Descriptor.RingEndpoint).ToList();
        return new WorkerAssignment(lease.RunId, lease.Rank, gang, lease.Placement);
    }

    /// <summary>
    /// A worker's claim to be running a rank, adopted after a restart, holds only if the run agrees: the silo may have
    /// died after placing the run in memory but before the run recorded it. A run that was never placed goes back to
    /// the queue; any other disagreement frees the worker (its job is revoked on its next heartbeat).
    /// </summary>
    private async Task VerifyAdopted(WorkerLease lease, string workerId)
    {
        lease.Adopted = false;
        var runId = lease.RunId!;
        var run = await GrainFactory.GetGrain<IRunGrain>(runId).Get();
        if (run is { State: RunState.Scheduled or RunState.Running } && lease.Rank < run.Workers.Count && run.Workers[lease.Rank] == workerId)
            return;
        _gangs.Remove(runId);
        if (run is { State: RunState.Pending })
        {
            _gangs.Enqueue(runId, run.WorldSize, run.Priority);
            _state.Queue = [.. _gangs.Queue];
            await _state.Write();
        }
    }

    /// <summary>One-way and best effort: a worker whose observer is gone still learns on its next heartbeat.</summary>
    private void Notify(string workerId)
    {
        if (_observers.TryGetValue(workerId, out var observer))
            observer.AssignmentChanged().Ignore();
    }

    public Task<IReadOnlyList<WorkerSnapshot>> Workers()
    {
        Caller.RequireControl("list workers");
        return Task.FromResult<IReadOnlyList<WorkerSnapshot>>(_gangs.Workers.Select(w => new WorkerSnapshot(w.Descriptor, w.LastHeartbeat, w.RunId, w.Rank)).ToList());
    }

    public async Task Leave(string workerId)
    {
        Caller.RequireWorker(workerId, $"leave as {workerId}");
        _observers.Remove(workerId);
        // A worker that leaves while still holding a rank (its drain did not finish) loses it as a missed lease would.
        if (_gangs.Leave(workerId) is { } held)
        {
            _gangs.Remove(held, DateTimeOffset.UtcNow);
            await GrainFactory.GetGrain<IRunGrain>(held).WorkerLost($"worker {workerId} left the cluster");
        }
    }

    public Task Subscribe(string workerId, IWorkerObserver observer)
    {
        Caller.RequireWorker(workerId, $"subscribe as {workerId}");
        _observers[workerId] = observer;
        return Task.CompletedTask;
    }

    public Task RunStateChanged(string runId, RunState runState)
    {
        Caller.RequireInternal("report run states");
        // Counted in memory; written with the next change that is persisted anyway (enqueue, removal, placement).
        _state.Track(runId, runState);
        return Task.CompletedTask;
    }

    public Task<SchedulerStats> Stats()
    {
        Caller.RequireControl("read the scheduler's statistics");
        var byState = Enum.GetValues<RunState>().ToDictionary(s => s, _ => 0);
        foreach (var run in _state.Runs.Where(r => r.State is not null))
            byState[run.State!.Value]++;
        var training = _gangs.Workers.Count(w => w.RunId is not null);
        var pending = _gangs.Queue.Sum(q => q.WorldSize);
        var highestBusy = _gangs.Workers.Where(w => w.RunId is not null).Select(w => WorkerOrdinal.Of(w.Descriptor.Id) ?? -1).DefaultIfEmpty(-1).Max();
        return Task.FromResult(new SchedulerStats(silo.SiloAddress.ToString(), byState, _gangs.Queue.Count, pending,
            _gangs.Workers.Count - training, training, Math.Max(training + pending, highestBusy + 1)));
    }

    /// <summary>Places what fits, tells waiting runs why they wait, and persists the queue when it changed.</summary>
    private async Task PlaceAndSave(bool queueChanged)
    {
        var round = _gangs.Place(DateTimeOffset.UtcNow);
        foreach (var placement in round.Placed)
        {
            _waiting.Remove(placement.RunId);
            await GrainFactory.GetGrain<IRunGrain>(placement.RunId).Placed(placement.Workers);
            foreach (var worker in placement.Workers)
                Notify(worker);
        }
        foreach (var (runId, reason) in round.Waiting)
        {
            if (_waiting.TryGetValue(runId, out var told) && told == reason)
                continue;
            _waiting[runId] = reason;
            GrainFactory.GetGrain<IRunGrain>(runId).Waiting(reason).Ignore();
        }
        if (!queueChanged && round.Placed.Count == 0)
            return;
        _state.Queue = [.. _gangs.Queue];
        await _state.Write();
    }
}
