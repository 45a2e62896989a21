using GanCluster.Silo.Grains;
using GanCluster.Silo.Storage;
using Orleans;
using Orleans.Runtime;
using Orleans.Storage;

namespace GanCluster.Silo.Tests;

public sealed class SqliteGrainStorageTests
{
    private static string NewDatabase() => Path.Combine(Path.GetTempPath(), "gancluster-silo-tests", Guid.NewGuid().ToString("N"), "state.db");

    [Fact]
    public async Task State_survives_a_new_provider_on_the_same_file()
    {
        var path = NewDatabase();
        var id = GrainId.Create("run", "r1");
        var state = new GrainState<RunRecord> { State = new RunRecord { Id = "r1", Name = "demo", Step = 42, Exists = true } };
        await new SqliteGrainStorage(new SqliteDatabase(path)).WriteStateAsync("run", id, state);

        var read = new GrainState<RunRecord>();
        await new SqliteGrainStorage(new SqliteDatabase(path)).ReadStateAsync("run", id, read);
        Assert.True(read.RecordExists);
        Assert.Equal(("r1", "demo", 42L), (read.State!.Id, read.State.Name, read.State.Step));
        Assert.Equal(state.ETag, read.ETag);
    }

    [Fact]
    public async Task A_write_with_a_stale_etag_is_refused_and_changes_nothing()
    {
        var path = NewDatabase();
        var storage = new SqliteGrainStorage(new SqliteDatabase(path));
        var id = GrainId.Create("run", "r2");
        var first = new GrainState<RunRecord> { State = new RunRecord { Step = 1 } };
        await storage.WriteStateAsync("run", id, first);
        var stale = new GrainState<RunRecord> { State = new RunRecord { Step = 99 }, ETag = "not-the-current-etag" };
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("run", id, stale));
        var read = new GrainState<RunRecord>();
        await storage.ReadStateAsync("run", id, read);
        Assert.Equal(1, read.State!.Step);
    }

    [Fact]
    public async Task A_missing_record_reads_as_a_fresh_state()
    {
        var read = new GrainState<RunRecord>();
        await new SqliteGrainStorage(new SqliteDatabase(NewDatabase())).ReadStateAsync("run", GrainId.Create("run", "none"), read);
        Assert.False(read.RecordExists);
        Assert.False(read.State!.Exists);
    }
}
