using GanCluster.Hosting.Storage;
using Npgsql;

namespace GanCluster.Silo.Storage;

/// <summary>
/// Prepares the shared PostgreSQL database for the Orleans ADO.NET providers (membership, grain state, reminders)
/// and for the control plane's own row sets (<see cref="PostgresRowStorage"/>).
/// Every silo applies the script at start; it is idempotent, and an advisory lock serialises silos that start
/// together, so an empty database needs no manual step.
/// </summary>
public static class PostgresSchema
{
    private const long SchemaLock = 0x6761_6E63_6C75; // "ganclu"

    public static async Task ApplyAsync(PostgresStore store, CancellationToken cancellation)
    {
        var scripts = new[] { Script("orleans-schema.sql"), Script("gancluster-schema.sql") };
        await using var connection = new NpgsqlConnection(store.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellation);
        }
        catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            throw new InvalidOperationException($"cannot reach {store.Describe()} (from {store.SourceFile}): {e.Message}", e);
        }
        await using var transaction = await connection.BeginTransactionAsync(cancellation);
        await using (var locking = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({SchemaLock})", connection, transaction))
            await locking.ExecuteNonQueryAsync(cancellation);
        foreach (var script in scripts)
        {
            await using var apply = new NpgsqlCommand(script, connection, transaction);
            await apply.ExecuteNonQueryAsync(cancellation);
        }
        await transaction.CommitAsync(cancellation);
    }

    private static string Script(string name)
    {
        using var stream = typeof(PostgresSchema).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException("the PostgreSQL schema is missing from the silo's assembly (a broken build)");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
