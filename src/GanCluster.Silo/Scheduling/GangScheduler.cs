using GanCluster.Contracts.Grains;

namespace GanCluster.Silo.Scheduling;

/// <summary>
/// A queued run: its gang size, priority (higher first), arrival order (earlier first among equals), and the moment
/// before which it is not placed (a retry backing off after a transient failure).
/// </summary>
public sealed record QueuedRun(string RunId, int WorldSize, int Priority, long Sequence)
{
    public DateTimeOffset NotBefore { get; init; } = DateTimeOffset.MinValue;
}

/// <summary>A run placed on a gang of workers, in rank order.</summary>
public sealed record Placement(string RunId, IReadOnlyList<string> Workers);

/// <summary>One round of placement: the runs placed, and for every run still queued, why it waits.</summary>
public sealed record PlacementRound(IReadOnlyList<Placement> Placed, IReadOnlyDictionary<string, string> Waiting);

/// <summary>
/// Gang placement, as a pure data structure the scheduler grain drives. A run of world size N starts only when N
/// live, free workers exist together, and then takes all N at once: no partial allocation is ever held.
/// <para>
/// Among the runs the registered workers could serve, the queue is strict priority order: when the head does not
/// fit, nothing behind it starts, so a large gang cannot be starved by a stream of small ones. A run that no
/// gang of registered workers could ever serve (world size above the workers registered), or one backing off
/// before a retry, is stepped over: it waits aside, with its reason, and never blocks the runs behind it.
/// </para>
/// </summary>
public sealed class GangScheduler(TimeSpan lease)
{
    private readonly Dictionary<string, WorkerLease> _workers = [];
    private readonly List<QueuedRun> _queue = [];
    private long _sequence;
    private long _placements = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public IReadOnlyList<QueuedRun> Queue => _queue;

    public void Enqueue(string runId, int worldSize, int priority, DateTimeOffset notBefore = default)
    {
        if (worldSize < 1)
            throw new ArgumentOutOfRangeException(nameof(worldSize), worldSize, "a gang has at least one worker");
        if (_queue.Any(q => q.RunId == runId))
            return;
        _queue.Add(new QueuedRun(runId, worldSize, priority, ++_sequence) { NotBefore = notBefore });
    }

    /// <summary>
    /// Drops a queued run and frees the workers of a placed one. Workers freed after a failure (<paramref name="suspectSince"/>)
    /// are placed on again only once they heartbeat after that moment: one that died meanwhile never will.
    /// </summary>
    public void Remove(string runId, DateTimeOffset? suspectSince = null)
    {
        _queue.RemoveAll(q => q.RunId == runId);
        foreach (var w in _workers.Values.Where(w => w.RunId == runId))
        {
            (w.RunId, w.Rank) = (null, -1);
            if (suspectSince is { } since)
                w.SuspectSince = since;
        }
    }

    /// <summary>Registers or renews a worker's lease.</summary>
    public WorkerLease Heartbeat(WorkerDescriptor worker, DateTimeOffset now)
    {
        if (!_workers.TryGetValue(worker.Id, out var lease))
        {
            _workers[worker.Id] = lease = new WorkerLease(worker);
            // A worker we do not know yet that is already running a rank (the silo restarted under it): adopt its
            // assignment, so the run goes on instead of being revoked.
            if (worker.Running is { } running && !_queue.Any(q => q.RunId == running.RunId))
                (lease.RunId, lease.Rank, lease.Placement, lease.Adopted) = (running.RunId, running.Rank, running.Placement, true);
        }
        lease.Descriptor = worker;
        lease.LastHeartbeat = now;
        return lease;
    }

    /// <summary>A worker that left on its own: its lease ends now. Returns the run it still held, if any.</summary>
    public string? Leave(string workerId)
    {
        if (!_workers.Remove(workerId, out var lease))
            return null;
        return lease.RunId;
    }

    /// <summary>Workers whose lease ran out are dropped; returns them with the runs they held.</summary>
    public IReadOnlyList<WorkerLease> Expire(DateTimeOffset now)
    {
        var expired = _workers.Values.Where(w => now - w.LastHeartbeat > lease).ToList();
        foreach (var w in expired)
            _workers.Remove(w.Descriptor.Id);
        return expired;
    }

    /// <summary>A worker is placed on only while its heartbeats are this fresh, so a just-killed one is not chosen.</summary>
    public static readonly TimeSpan Fresh = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Places as many queued runs as fit, in queue order, stopping at the first servable run that does not fit;
    /// says for every run left why it waits. Gangs take the free workers with the lowest ordinals first
    /// (<see cref="WorkerOrdinal"/>), so that the highest ones, which a StatefulSet scales in first, are idle.
    /// </summary>
    public PlacementRound Place(DateTimeOffset now)
    {
        var placements = new List<Placement>();
        var waiting = new Dictionary<string, string>(StringComparer.Ordinal);
        var registered = _workers.Count;
        string? blockedBy = null;
        foreach (var run in _queue.OrderByDescending(q => q.Priority).ThenBy(q => q.Sequence).ToList())
        {
            if (run.WorldSize > registered)
            {
                waiting[run.RunId] = $"needs {run.WorldSize} workers, {registered} registered";
                continue;
            }
            if (run.NotBefore > now)
            {
                waiting[run.RunId] = $"backing off after a transient failure: retried from {run.NotBefore:HH:mm:ss} UTC";
                continue;
            }
            if (blockedBy is not null)
            {
                waiting[run.RunId] = $"queued behind {blockedBy}";
                continue;
            }
            var free = _workers.Values.Where(w => w.RunId is null && now - w.LastHeartbeat <= Fresh && w.LastHeartbeat > w.SuspectSince).OrderBy(w => w.Descriptor.Id, WorkerOrdinal.Comparer).Take(run.WorldSize).ToList();
            if (free.Count < run.WorldSize)
            {
                waiting[run.RunId] = $"waiting for {run.WorldSize} free workers at once ({registered} registered)";
                blockedBy = run.RunId;
                continue;
            }
            _placements++;
            for (var rank = 0; rank < free.Count; rank++)
                (free[rank].RunId, free[rank].Rank, free[rank].Placement) = (run.RunId, rank, _placements);
            _queue.Remove(run);
            placements.Add(new Placement(run.RunId, free.Select(w => w.Descriptor.Id).ToList()));
        }
        return new PlacementRound(placements, waiting);
    }

    public WorkerLease? Worker(string id) => _workers.GetValueOrDefault(id);

    public IReadOnlyList<WorkerLease> Workers => _workers.Values.OrderBy(w => w.Descriptor.Id, StringComparer.Ordinal).ToList();

    /// <summary>Rebuilds the queue after a restart (the leases are not persisted: live workers heartbeat again).</summary>
    public void Restore(IEnumerable<QueuedRun> queue)
    {
        _queue.Clear();
        _queue.AddRange(queue);
        _sequence = _queue.Count == 0 ? 0 : _queue.Max(q => q.Sequence);
    }
}

/// <summary>A worker's lease and its current assignment (rank −1 when free).</summary>
public sealed class WorkerLease(WorkerDescriptor descriptor)
{
    public WorkerDescriptor Descriptor { get; set; } = descriptor;
    public DateTimeOffset LastHeartbeat { get; set; }
    public string? RunId { get; set; }
    public int Rank { get; set; } = -1;

    /// <summary>Which placement the current assignment belongs to.</summary>
    public long Placement { get; set; }

    /// <summary>Taken over from the worker's own word after a restart, not yet checked against the run.</summary>
    public bool Adopted { get; set; }

    /// <summary>Freed by a failed gang at this moment: eligible again after a later heartbeat.</summary>
    public DateTimeOffset SuspectSince { get; set; } = DateTimeOffset.MinValue;
}
