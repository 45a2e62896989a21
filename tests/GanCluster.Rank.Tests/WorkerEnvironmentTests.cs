using GanCluster.Collective;
using GanCluster.Rank.Launch;

namespace GanCluster.Rank.Tests;

/// <summary>The ring options a launcher hands its ranks through their environment.</summary>
public sealed class WorkerEnvironmentTests
{
    private static readonly RingOptions Options = new()
    {
        RunId = "run-1", Rank = 1, Endpoints = ["127.0.0.1:5000", "127.0.0.1:5001"], Secret = "test-secret-0123456789",
    };

    [Fact]
    public void Connections_per_link_travel_only_when_set_so_that_each_link_chooses_by_default()
    {
        var unset = WorkerEnvironment.For(Options);
        Assert.False(unset.ContainsKey(WorkerEnvironment.Channels));
        Assert.Null(WorkerEnvironment.Read(name => unset.TryGetValue(name, out var v) ? v : null).Channels);

        var set = WorkerEnvironment.For(Options with { Channels = 3 });
        var read = WorkerEnvironment.Read(name => set.TryGetValue(name, out var v) ? v : null);
        Assert.Equal(3, read.Channels);
        Assert.Equal(Options.Endpoints, read.Endpoints);
    }

    [Fact]
    public void A_connection_count_that_is_not_a_number_is_refused_by_its_variable_name()
    {
        var variables = WorkerEnvironment.For(Options);
        variables[WorkerEnvironment.Channels] = "four";
        var refused = Assert.Throws<ArgumentException>(() => WorkerEnvironment.Read(name => variables.TryGetValue(name, out var v) ? v : null));
        Assert.Contains("GANCLUSTER_RING_CHANNELS is 'four'", refused.Message);
    }
}
