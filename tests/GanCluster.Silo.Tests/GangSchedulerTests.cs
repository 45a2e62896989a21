using GanCluster.Contracts.Grains;
using GanCluster.Silo.Scheduling;

namespace GanCluster.Silo.Tests;

public sealed class GangSchedulerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static WorkerDescriptor Worker(string id) => new(id, "localhost", "cpu", 1, $"127.0.0.1:{1000 + id.GetHashCode() % 1000}");

    [Fact]
    public void A_gang_starts_only_when_all_its_workers_are_free_together_and_holds_nothing_before()
    {
        var s = new GangScheduler(TimeSpan.FromSeconds(10));
        s.Enqueue("big", worldSize: 3, priority: 0);
        s.Heartbeat(Worker("w1"), T0);
        s.Heartbeat(Worker("w2"), T0);
        Assert.Empty(s.Place(T0).Placed);
        Assert.All(s.Workers, w => Assert.Null(w.RunId));
        s.Heartbeat(Worker("w3"), T0);
        var placed = Assert.Single(s.Place(T0).Placed);
        Assert.Equal("big", placed.RunId);
        Assert.Equal(["w1", "w2", "w3"], placed.Workers);
        Assert.Equal([0, 1, 2], s.Workers.Select(w => w.Rank));
        Assert.Empty(s.Queue);
    }

    [Fact]
    public void Gangs_take_the_lowest_ordinals_so_that_a_statefulset_scales_in_only_idle_workers()
    {
        var s = new GangScheduler(TimeSpan.FromSeconds(10));
        foreach (var ordinal in new[] { 10, 2, 0, 9, 1 })
            s.Heartbeat(Worker($"gancluster-worker-{ordinal}"), T0);
        s.Enqueue("pair", worldSize: 2, priority: 0);
        s.Enqueue("one", worldSize: 1, priority: 0);
        var placed = s.Place(T0).Placed;
        Assert.Equal(["gancluster-worker-0", "gancluster-worker-1"], placed[0].Workers);
        Assert.Equal(["gancluster-worker-2"], placed[1].Workers);
        Assert.Equal([9, 10, null], new[] { "gancluster-worker-9", "gancluster-worker-10", "worker" }.Select(WorkerOrdinal.Of));
    }

    [Fact]
    public void Higher_priority_goes_first_and_a_waiting_head_is_not_overtaken()
    {
        var s = new GangScheduler(TimeSpan.FromSeconds(10));
        s.Heartbeat(Worker("w1"), T0);
        s.Heartbeat(Worker("w2"), T0);
        s.Enqueue("busy", 1, priority: 9);
        Assert.Equal(["busy"], s.Place(T0).Placed.Select(p => p.RunId));
        s.Enqueue("small-low", 1, priority: 0);
        s.Enqueue("pair-high", 2, priority: 5);
        // One free worker of two: the high-priority pair waits, and the small low-priority run must not take the worker.
        var round = s.Place(T0);
        Assert.Empty(round.Placed);
        Assert.Equal("waiting for 2 free workers at once (2 registered)", round.Waiting["pair-high"]);
        Assert.Equal("queued behind pair-high", round.Waiting["small-low"]);
        s.Remove("busy");
        Assert.Equal(["pair-high"], s.Place(T0).Placed.Select(p => p.RunId));
        s.Remove("pair-high");
        Assert.Equal(["small-low"], s.Place(T0).Placed.Select(p => p.RunId));
    }

    [Fact]
    public void A_gang_larger_than_the_registered_workers_waits_aside_with_its_reason_and_blocks_nobody()
    {
        var s = new GangScheduler(TimeSpan.FromSeconds(10));
        s.Heartbeat(Worker("w1"), T0);
        s.Heartbeat(Worker("w2"), T0);
        s.Enqueue("huge", 64, priority: 9);
        s.Enqueue("small", 1, priority: 0);
        var round = s.Place(T0);
        Assert.Equal(["small"], round.Placed.Select(p => p.RunId));
        Assert.Equal("needs 64 workers, 2 registered", round.Waiting["huge"]);
        Assert.Equal(["huge"], s.Queue.Select(q => q.RunId));
    }

    [Fact]
    public void A_run_backing_off_is_not_placed_before_its_time_and_does_not_block_the_queue()
    {
        var s = new GangScheduler(TimeSpan.FromSeconds(10));
        s.Heartbeat(Worker("w1"), T0);
        s.Enqueue("retry", 1, priority: 9, notBefore: T0.AddSeconds(4));
        s.Enqueue("next", 1, priority: 0);
        var round = s.Place(T0);
        Assert.Equal(["next"], round.Placed.Select(p => p.RunId));
        Assert.StartsWith("backing off after a transient failure", round.Waiting["retry"]);
        s.Remove("next");
        s.Heartbeat(Worker("w1"), T0.AddSeconds(3));
        Assert.Empty(s.Place(T0.AddSeconds(3)).Placed);
        s.Heartbeat(Worker("w1"), T0.AddSeconds(4));
        Assert.Equal(["retry"], s.Place(T0.AddSeconds(4)).Placed.Select(p => p.RunId));
    }

    [Fact]
    public void A_worker_that_misses_its_lease_is_dropped_with_its_run()
    {
        var s = new GangScheduler(TimeSpan.FromSeconds(10));
        s.Enqueue("r", 1, 0);
        s.Heartbeat(Worker("w1"), T0);
        s.Heartbeat(Worker("w2"), T0);
        Assert.Single(s.Place(T0).Placed);
        s.Heartbeat(Worker("w2"), T0.AddSeconds(8));
        var lost = s.Expire(T0.AddSeconds(11));
        var w = Assert.Single(lost);
        Assert.Equal(("w1", "r"), (w.Descriptor.Id, w.RunId));
        Assert.Equal(["w2"], s.Workers.Select(x => x.Descriptor.Id));
    }

    [Fact]
    public void A_worker_whose_heartbeats_stopped_is_not_placed_on_even_before_its_lease_ends()
    {
        var s = new GangScheduler(TimeSpan.FromSeconds(10));
        s.Heartbeat(Worker("w1"), T0);
        s.Enqueue("r", 1, 0);
        Assert.Empty(s.Place(T0 + GangScheduler.Fresh + TimeSpan.FromSeconds(0.5)).Placed);
        Assert.Equal(["r"], s.Place(T0 + GangScheduler.Fresh).Placed.Select(p => p.RunId));
    }

    [Fact]
    public void Removing_a_placed_run_frees_its_workers_for_the_next_gang()
    {
        var s = new GangScheduler(TimeSpan.FromSeconds(10));
        s.Heartbeat(Worker("w1"), T0);
        s.Heartbeat(Worker("w2"), T0);
        s.Enqueue("a", 2, 0);
        s.Enqueue("b", 2, 0);
        Assert.Equal(["a"], s.Place(T0).Placed.Select(p => p.RunId));
        Assert.Empty(s.Place(T0).Placed);
        s.Remove("a");
        Assert.Equal(["b"], s.Place(T0).Placed.Select(p => p.RunId));
    }
}
