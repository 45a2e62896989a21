using GanCluster.Contracts;
using GanCluster.Silo.Scheduling;
using GanCluster.Silo.Storage;

namespace GanCluster.Silo.Grains;

/// <summary>
/// The scheduler's persisted part, stored as rows so that a write costs what changed: the queue in the header, and
/// the run index as one row per run (its latest state, for the runs-by-state metric, and whether it is active:
/// enqueued and not removed, which is all an audit needs to look at). Leases are soft state. A run's state may
/// change in memory without a write of its own; it is written with the next change that is persisted anyway.
/// </summary>
internal sealed class SchedulerJournal(IRowStorage storage)
{
    private const string RunRows = "run";

    private readonly RowJournal _rows = new(storage, "scheduler/0");
    private readonly List<IndexedRun> _runs = [];
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

    private sealed record SchedulerHeader(List<QueuedRun> Queue);

    public List<QueuedRun> Queue { get; set; } = [];

    /// <summary>Every run the scheduler has been told of, in the order it first heard of them.</summary>
    public IReadOnlyList<IndexedRun> Runs => _runs;

    public IEnumerable<string> Active() => _runs.Where(r => r.Active).Select(r => r.Id);

    public async Task Load()
    {
        if (await _rows.Read() is not { } stored)
            return;
        Queue = RowJournal.Parse<SchedulerHeader>(stored.Header, "the scheduler's header").Queue;
        foreach (var row in stored.Rows.Where(r => r.Collection == RunRows))
        {
            var run = RowJournal.Parse<IndexedRun>(row.Payload, $"the scheduler's run {row.Key}");
            _index[run.Id] = _runs.Count;
            _runs.Add(run);
        }
    }

    /// <summary>Records a run's latest state and whether it is active (each left as it was when not given), adding it to the index when new.</summary>
    public void Track(string runId, RunState? state = null, bool? active = null)
    {
        if (!_index.TryGetValue(runId, out var at))
        {
            (at, _index[runId]) = (_runs.Count, _runs.Count);
            _runs.Add(new IndexedRun { Id = runId });
        }
        var run = _runs[at];
        (run.State, run.Active) = (state ?? run.State, active ?? run.Active);
        _rows.Mark(RunRows, at, run);
    }

    public Task Write() => _rows.Write(new SchedulerHeader(Queue));
}

/// <summary>One run in the scheduler's index.</summary>
public sealed class IndexedRun
{
    public string Id { get; set; } = "";

    /// <summary>Its latest state as it reported it (null until it has).</summary>
    public RunState? State { get; set; }

    /// <summary>Enqueued and not removed.</summary>
    public bool Active { get; set; }
}
