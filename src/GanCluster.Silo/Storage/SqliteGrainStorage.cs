using GanCluster.Contracts.Security;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Orleans.Storage;

namespace GanCluster.Silo.Storage;

/// <summary>
/// Grain state in one local SQLite file: the embedded default's persistence. One row per (state name, grain id)
/// holding the state as JSON and an ETag; a write whose ETag is stale is refused, as Orleans providers must.
/// <para>
/// SQLite has one writer. Every write goes through one queue to one connection on its own thread, and the writes
/// waiting there are committed together in one transaction (group commit): grains never block a scheduler thread
/// on the file lock, and a burst of writes costs one commit. A write is acknowledged only once its transaction has
/// committed. The file is in WAL mode with synchronous=NORMAL, so a killed silo loses no acknowledged write (a
/// power failure can lose the last commits, never the file's consistency).
/// </para>
/// </summary>
public sealed class SqliteGrainStorage : IGrainStorage, IDisposable
{
    /// <summary>The most writes one transaction commits.</summary>
    private const int MaxBatch = 512;

    private readonly string _connectionString;
    private readonly Channel<PendingWrite> _writes = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Thread _writer;

    /// <summary>One queued write: the row, its expected and new ETags, and who waits for the outcome.</summary>
    private sealed record PendingWrite(string StateName, string GrainId, string? OldETag, string NewETag, string? Payload, TaskCompletionSource<int> Done);

    public SqliteGrainStorage(string path)
    {
        PrivateFiles.EnsureFolder(Path.GetDirectoryName(Path.GetFullPath(path))!);
        PrivateFiles.EnsureFile(path); // SQLite gives its journal files the database's mode
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString();
        using (var connection = Open())
        {
            Execute(connection, "PRAGMA journal_mode=WAL;");
            Execute(connection, """
                CREATE TABLE IF NOT EXISTS grain_state (
                    state_name TEXT NOT NULL,
                    grain_id   TEXT NOT NULL,
                    etag       TEXT NOT NULL,
                    payload    TEXT NOT NULL,
                    updated    TEXT NOT NULL,
                    PRIMARY KEY (state_name, grain_id));
                """);
        }
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "sqlite-grain-storage-writer" };
        _writer.Start();
    }

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await using var connection = Open();
        await using var command = Command(connection, "SELECT etag, payload FROM grain_state WHERE state_name = $s AND grain_id = $g", stateName, grainId.ToString());
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }
        grainState.ETag = reader.GetString(0);
        grainState.State = JsonSerializer.Deserialize<T>(reader.GetString(1), GrainStateJson.Options)
            ?? throw new InvalidDataException($"grain state {stateName}/{grainId} is empty in the SQLite store");
        grainState.RecordExists = true;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var etag = Guid.NewGuid().ToString("N");
        // Serialised here, on the grain's turn, so that the writer thread only writes.
        var payload = JsonSerializer.Serialize(grainState.State, GrainStateJson.Options);
        var rows = await Enqueue(stateName, grainId, grainState.ETag, etag, payload);
        if (rows != 1)
            throw new InconsistentStateException($"grain state {stateName}/{grainId} changed under this activation (stale ETag)", "", grainState.ETag ?? "");
        grainState.ETag = etag;
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await Enqueue(stateName, grainId, grainState.ETag, "", payload: null);
        grainState.ETag = null;
        grainState.RecordExists = false;
        grainState.State = Activator.CreateInstance<T>();
    }

    public void Dispose()
    {
        _writes.Writer.TryComplete();
        _writer.Join(TimeSpan.FromSeconds(10));
    }

    private Task<int> Enqueue(string stateName, GrainId grainId, string? oldETag, string newETag, string? payload)
    {
        var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_writes.Writer.TryWrite(new PendingWrite(stateName, grainId.ToString(), oldETag, newETag, payload, done)))
            throw new ObjectDisposedException(nameof(SqliteGrainStorage), "the SQLite grain storage is shutting down");
        return done.Task;
    }

    /// <summary>The one writer: takes every queued write, commits them in one transaction, then tells each its outcome.</summary>
    private void WriteLoop()
    {
        using var connection = Open();
        Execute(connection, "PRAGMA synchronous=NORMAL;");
        var batch = new List<PendingWrite>(MaxBatch);
        while (_writes.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _writes.Reader.TryRead(out var write))
                batch.Add(write);
            var outcomes = new (int Rows, Exception? Error)[batch.Count];
            try
            {
                using var transaction = connection.BeginTransaction();
                for (var i = 0; i < batch.Count; i++)
                    outcomes[i] = Apply(connection, transaction, batch[i]);
                transaction.Commit();
            }
            catch (Exception e)
            {
                // The transaction did not commit: nothing in it was written.
                for (var i = 0; i < batch.Count; i++)
                    outcomes[i] = (0, e);
            }
            for (var i = 0; i < batch.Count; i++)
            {
                if (outcomes[i].Error is { } error)
                    batch[i].Done.TrySetException(error);
                else
                    batch[i].Done.TrySetResult(outcomes[i].Rows);
            }
        }
    }

    /// <summary>One write inside the batch's transaction; a refused one (stale ETag, a concurrent insert) changes nothing and fails alone.</summary>
    private static (int Rows, Exception? Error) Apply(SqliteConnection connection, SqliteTransaction transaction, PendingWrite write)
    {
        using var command = Command(connection, write.Payload is null
            ? "DELETE FROM grain_state WHERE state_name = $s AND grain_id = $g"
            : write.OldETag is null
                ? "INSERT INTO grain_state (state_name, grain_id, etag, payload, updated) VALUES ($s, $g, $new, $p, $u) ON CONFLICT DO NOTHING"
                : "UPDATE grain_state SET etag = $new, payload = $p, updated = $u WHERE state_name = $s AND grain_id = $g AND etag = $old", write.StateName, write.GrainId);
        command.Transaction = transaction;
        if (write.Payload is not null)
        {
            if (write.OldETag is not null)
                command.Parameters.AddWithValue("$old", write.OldETag);
            command.Parameters.AddWithValue("$new", write.NewETag);
            command.Parameters.AddWithValue("$p", write.Payload);
            command.Parameters.AddWithValue("$u", DateTimeOffset.UtcNow.ToString("O"));
        }
        var rows = command.ExecuteNonQuery();
        if (write.Payload is not null && write.OldETag is null && rows == 0)
            return (0, new InconsistentStateException($"grain state {write.StateName}/{write.GrainId} was created concurrently", "", ""));
        return (rows, null);
    }

    /// <summary>A command on one grain's row: <c>$s</c> is the state name and <c>$g</c> the grain id.</summary>
    private static SqliteCommand Command(SqliteConnection connection, string sql, string stateName, string grainId)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$s", stateName);
        command.Parameters.AddWithValue("$g", grainId);
        return command;
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
