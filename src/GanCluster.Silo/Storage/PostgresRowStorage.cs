using Npgsql;
using NpgsqlTypes;
using Orleans.Storage;

namespace GanCluster.Silo.Storage;

/// <summary>Row sets (<see cref="IRowStorage"/>) in the shared PostgreSQL database; the tables are in <c>gancluster-schema.sql</c>.</summary>
public sealed class PostgresRowStorage(string connectionString) : IRowStorage, IDisposable
{
    private readonly NpgsqlDataSource _source = NpgsqlDataSource.Create(connectionString);

    public async Task<StoredRows?> Read(string owner)
    {
        await using var connection = await _source.OpenConnectionAsync();
        // Repeatable read: the header and the rows of the same commit.
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
        long version;
        string header;
        await using (var head = new NpgsqlCommand("SELECT version, header FROM gancluster_row_owner WHERE owner = $1", connection, transaction) { Parameters = { new() { Value = owner } } })
        await using (var reader = await head.ExecuteReaderAsync())
        {
            if (!await reader.ReadAsync())
                return null;
            (version, header) = (reader.GetInt64(0), reader.GetString(1));
        }
        var rows = new List<StoredRow>();
        await using (var items = new NpgsqlCommand("SELECT collection, key, payload FROM gancluster_row_item WHERE owner = $1 ORDER BY collection, key", connection, transaction) { Parameters = { new() { Value = owner } } })
        await using (var reader = await items.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
                rows.Add(new StoredRow(reader.GetString(0), reader.GetInt64(1), reader.GetString(2)));
        }
        await transaction.CommitAsync();
        return new StoredRows(version, header, rows);
    }

    public async Task Write(string owner, long version, string header, IReadOnlyList<StoredRow> rows)
    {
        await using var connection = await _source.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var head = new NpgsqlCommand(version == 0
            ? "INSERT INTO gancluster_row_owner (owner, version, header, updated) VALUES ($1, 1, $2, now()) ON CONFLICT DO NOTHING"
            : "UPDATE gancluster_row_owner SET version = version + 1, header = $2, updated = now() WHERE owner = $1 AND version = $3", connection, transaction))
        {
            head.Parameters.Add(new() { Value = owner });
            head.Parameters.Add(new() { Value = header });
            if (version != 0)
                head.Parameters.Add(new() { Value = version });
            if (await head.ExecuteNonQueryAsync() != 1)
                throw new InconsistentStateException($"the rows of {owner} changed under this activation (stored version is not {version})", "", version.ToString());
        }
        if (rows.Count > 0)
        {
            // Every row in one statement.
            await using var items = new NpgsqlCommand("""
                INSERT INTO gancluster_row_item (owner, collection, key, payload)
                SELECT $1, c, k, p FROM unnest($2::text[], $3::bigint[], $4::text[]) AS r(c, k, p)
                ON CONFLICT (owner, collection, key) DO UPDATE SET payload = EXCLUDED.payload
                """, connection, transaction);
            items.Parameters.Add(new() { Value = owner });
            items.Parameters.Add(new() { Value = rows.Select(r => r.Collection).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            items.Parameters.Add(new() { Value = rows.Select(r => r.Key).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
            items.Parameters.Add(new() { Value = rows.Select(r => r.Payload).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            await items.ExecuteNonQueryAsync();
        }
        await transaction.CommitAsync();
    }

    public void Dispose() => _source.Dispose();
}
