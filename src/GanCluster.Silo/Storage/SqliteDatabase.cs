using GanCluster.Contracts.Security;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace GanCluster.Silo.Storage;

/// <summary>
/// The embedded default's one local SQLite file, shared by every store that keeps state in it (grain states, row
/// sets). SQLite has one writer: every write goes through one queue to one connection on its own thread, and the
/// writes waiting there are committed together in one transaction (group commit), so grains never block a
/// scheduler thread on the file lock and a burst of writes costs one commit. Each write runs in a savepoint of its
/// own: one that fails is undone alone, and the others in its batch commit. A write is acknowledged only once its
/// transaction has committed. The file is in WAL mode with synchronous=NORMAL, so a killed silo loses no
/// acknowledged write (a power failure can lose the last commits, never the file's consistency).
/// </summary>
public sealed class SqliteDatabase : IDisposable
{
    /// <summary>The most writes one transaction commits.</summary>
    private const int MaxBatch = 512;

    private readonly string _connectionString;
    private readonly Channel<PendingWrite> _writes = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Thread _writer;

    /// <summary>One queued write: what it does inside the batch's transaction, and who waits for its outcome.</summary>
    private sealed record PendingWrite(Func<SqliteConnection, SqliteTransaction, long> Work, TaskCompletionSource<long> Done);

    public SqliteDatabase(string path)
    {
        PrivateFiles.EnsureFolder(Path.GetDirectoryName(Path.GetFullPath(path))!);
        PrivateFiles.EnsureFile(path); // SQLite gives its journal files the database's mode
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString();
        using (var connection = OpenReader())
            Execute(connection, "PRAGMA journal_mode=WAL;");
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "sqlite-writer" };
        _writer.Start();
    }

    /// <summary>A connection for reading (WAL readers never wait on the writer) or for creating tables at start.</summary>
    public SqliteConnection OpenReader()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    /// <summary>
    /// Runs <paramref name="work"/> on the writer's connection inside a group-committed transaction, and returns its
    /// result once that transaction has committed. An exception from it undoes its own changes only, and is thrown here.
    /// </summary>
    public Task<long> Write(Func<SqliteConnection, SqliteTransaction, long> work)
    {
        var done = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_writes.Writer.TryWrite(new PendingWrite(work, done)))
            throw new ObjectDisposedException(nameof(SqliteDatabase), "the SQLite store is shutting down");
        return done.Task;
    }

    public void Dispose()
    {
        _writes.Writer.TryComplete();
        _writer.Join(TimeSpan.FromSeconds(10));
    }

    public static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        command.ExecuteNonQuery();
    }

    /// <summary>The one writer: takes every queued write, commits them in one transaction, then tells each its outcome.</summary>
    private void WriteLoop()
    {
        using var connection = OpenReader();
        Execute(connection, "PRAGMA synchronous=NORMAL;");
        var batch = new List<PendingWrite>(MaxBatch);
        while (_writes.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _writes.Reader.TryRead(out var write))
                batch.Add(write);
            var outcomes = new (long Result, Exception? Error)[batch.Count];
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
                    batch[i].Done.TrySetResult(outcomes[i].Result);
            }
        }
    }

    /// <summary>One write in a savepoint of the batch's transaction: one that throws is rolled back to it and fails alone.</summary>
    private static (long Result, Exception? Error) Apply(SqliteConnection connection, SqliteTransaction transaction, PendingWrite write)
    {
        Execute(connection, "SAVEPOINT one_write;", transaction);
        try
        {
            var result = write.Work(connection, transaction);
            Execute(connection, "RELEASE one_write;", transaction);
            return (result, null);
        }
        catch (Exception e) when (e is not SqliteException { SqliteErrorCode: 13 or 10 }) // SQLITE_FULL, SQLITE_IOERR: the batch fails
        {
            Execute(connection, "ROLLBACK TO one_write; RELEASE one_write;", transaction);
            return (0, e);
        }
    }
}
