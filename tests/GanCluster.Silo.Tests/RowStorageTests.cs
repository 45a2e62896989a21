using GanCluster.Cli.Tests;
using GanCluster.Contracts;
using GanCluster.Contracts.Grains;
using GanCluster.Silo.Storage;
using GanCluster.Silo.Sweeps;
using Orleans.Storage;

namespace GanCluster.Silo.Tests;

/// <summary>Row sets on both stores (the embedded SQLite file and a real PostgreSQL server), and the sweep's rows on top of them.</summary>
public sealed class RowStorageTests
{
    public static TheoryData<string> Stores => ["sqlite", "postgres"];

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Rows_are_upserted_with_their_header_and_read_back_in_key_order(string kind)
    {
        using var store = Store.Open(kind);
        await store.Rows.Write("o", 0, "h1", [new("b", 2, "b2"), new("a", 1, "a1"), new("b", 0, "b0")]);
        await store.Rows.Write("o", 1, "h2", [new("b", 2, "b2'"), new("b", 1, "b1")]);
        var read = await store.Rows.Read("o");
        Assert.NotNull(read);
        Assert.Equal((2L, "h2"), (read.Version, read.Header));
        Assert.Equal(["a/1=a1", "b/0=b0", "b/1=b1", "b/2=b2'"], read.Rows.Select(r => $"{r.Collection}/{r.Key}={r.Payload}"));
        Assert.Null(await store.Rows.Read("another"));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_write_from_a_stale_version_is_refused_and_changes_nothing(string kind)
    {
        using var store = Store.Open(kind);
        await store.Rows.Write("o", 0, "h1", [new("a", 0, "first")]);
        // A second activation that read before the first wrote, and a second creation.
        await Assert.ThrowsAsync<InconsistentStateException>(() => store.Rows.Write("o", 0, "h-new", [new("a", 0, "created twice")]));
        await store.Rows.Write("o", 1, "h2", [new("a", 0, "second")]);
        await Assert.ThrowsAsync<InconsistentStateException>(() => store.Rows.Write("o", 1, "h-stale", [new("a", 0, "stale"), new("a", 1, "stale")]));
        var read = await store.Rows.Read("o");
        Assert.Equal((2L, "h2"), (read!.Version, read.Header));
        Assert.Equal(["second"], read.Rows.Select(r => r.Payload));
    }

    [Fact]
    public async Task A_sweep_writes_only_what_changed_and_reads_back_as_it_was()
    {
        using var store = Store.Open("sqlite");
        var counting = new CountingRows(store.Rows);
        var journal = new SweepJournal(counting, "s1");
        var sweep = new SweepRecord { Exists = true, Id = "s1", SweepYaml = "name: s1", State = SweepState.Running, SubmittedAt = DateTimeOffset.UnixEpoch };
        for (var i = 0; i < 100; i++)
        {
            sweep.Trials.Add(new TrialRecord { Trial = i, RunId = $"s1-t{i}", Values = { ["lr"] = $"{i}" }, State = RunState.Completed });
            sweep.Inputs.Add(new SweepInput(SweepInputKind.Created, i));
        }
        sweep.Trials[7].State = RunState.Running;
        await journal.Write(sweep);
        Assert.Equal(200, counting.Last);

        // Trial 7 ends, trial 100 starts, and one input and one event are new: only they are written.
        sweep.Trials[7].State = RunState.Completed;
        sweep.Trials[7].Best = 0.5;
        sweep.Trials.Add(new TrialRecord { Trial = 100, RunId = "s1-t100", State = RunState.Pending });
        sweep.Inputs.Add(new SweepInput(SweepInputKind.Ended, 7, End: "Completed"));
        sweep.Events.Add(new RunEvent(DateTimeOffset.UnixEpoch, "trial 7 completed"));
        await journal.Write(sweep);
        Assert.Equal(4, counting.Last);

        // Trial 7 has ended: it is not written again; trial 100 still runs, so it is.
        sweep.Trials[100].Step = 3;
        await journal.Write(sweep);
        Assert.Equal(1, counting.Last);

        var read = await new SweepJournal(store.Rows, "s1").Load();
        Assert.True(read.Exists);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(sweep, GrainStateJson.Options), System.Text.Json.JsonSerializer.Serialize(read, GrainStateJson.Options));
    }

    /// <summary>A real store, counting the rows of its last write.</summary>
    private sealed class CountingRows(IRowStorage inner) : IRowStorage
    {
        public int Last { get; private set; }

        public Task<StoredRows?> Read(string owner) => inner.Read(owner);

        public Task Write(string owner, long version, string header, IReadOnlyList<StoredRow> rows)
        {
            Last = rows.Count;
            return inner.Write(owner, version, header, rows);
        }
    }

    private sealed class Store(IRowStorage rows, IDisposable? owner) : IDisposable
    {
        public IRowStorage Rows => rows;

        public static Store Open(string kind)
        {
            if (kind == "sqlite")
            {
                var database = new SqliteDatabase(Path.Combine(Path.GetTempPath(), "gancluster-silo-tests", Guid.NewGuid().ToString("N"), "state.db"));
                return new Store(new SqliteRowStorage(database), database);
            }
            var server = PostgresServer.Start();
            try
            {
                var hosting = new GanCluster.Hosting.Storage.PostgresStore(server.ConnectionString, "(test)", "test");
                PostgresSchema.ApplyAsync(hosting, CancellationToken.None).GetAwaiter().GetResult();
                return new Store(new PostgresRowStorage(server.ConnectionString), server);
            }
            catch
            {
                server.Dispose();
                throw;
            }
        }

        public void Dispose()
        {
            (rows as IDisposable)?.Dispose();
            owner?.Dispose();
        }
    }
}
