using Microsoft.Data.Sqlite;
using Orleans.Storage;

namespace GanCluster.Silo.Storage;

/// <summary>Row sets (<see cref="IRowStorage"/>) in the embedded SQLite file, written through its one writer.</summary>
public sealed class SqliteRowStorage : IRowStorage
{
    private readonly SqliteDatabase _database;

    public SqliteRowStorage(SqliteDatabase database)
    {
        _database = database;
        using var connection = database.OpenReader();
        SqliteDatabase.Execute(connection, """
            CREATE TABLE IF NOT EXISTS row_owner (
                owner   TEXT NOT NULL PRIMARY KEY,
                version INTEGER NOT NULL,
                header  TEXT NOT NULL,
                updated TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS row_item (
                owner      TEXT NOT NULL,
                collection TEXT NOT NULL,
                key        INTEGER NOT NULL,
                payload    TEXT NOT NULL,
                PRIMARY KEY (owner, collection, key)) WITHOUT ROWID;
            """);
    }

    public async Task<StoredRows?> Read(string owner)
    {
        await using var connection = _database.OpenReader();
        // One read transaction: the header and the rows of the same commit.
        await using var transaction = connection.BeginTransaction(deferred: true);
        await using var head = connection.CreateCommand();
        head.Transaction = transaction;
        head.CommandText = "SELECT version, header FROM row_owner WHERE owner = $o";
        head.Parameters.AddWithValue("$o", owner);
        await using var reader = await head.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
            return null;
        var (version, header) = (reader.GetInt64(0), reader.GetString(1));
        await using var items = connection.CreateCommand();
        items.Transaction = transaction;
        items.CommandText = "SELECT collection, key, payload FROM row_item WHERE owner = $o ORDER BY collection, key";
        items.Parameters.AddWithValue("$o", owner);
        var rows = new List<StoredRow>();
        await using var itemReader = await items.ExecuteReaderAsync();
        while (await itemReader.ReadAsync())
            rows.Add(new StoredRow(itemReader.GetString(0), itemReader.GetInt64(1), itemReader.GetString(2)));
        return new StoredRows(version, header, rows);
    }

    public async Task Write(string owner, long version, string header, IReadOnlyList<StoredRow> rows)
    {
        var updated = DateTimeOffset.UtcNow.ToString("O");
        var written = await _database.Write((connection, transaction) =>
        {
            using var head = connection.CreateCommand();
            head.Transaction = transaction;
            head.CommandText = version == 0
                ? "INSERT INTO row_owner (owner, version, header, updated) VALUES ($o, 1, $h, $u) ON CONFLICT DO NOTHING"
                : "UPDATE row_owner SET version = version + 1, header = $h, updated = $u WHERE owner = $o AND version = $v";
            head.Parameters.AddWithValue("$o", owner);
            head.Parameters.AddWithValue("$h", header);
            head.Parameters.AddWithValue("$u", updated);
            head.Parameters.AddWithValue("$v", version);
            if (head.ExecuteNonQuery() != 1)
                return 0;
            using var item = connection.CreateCommand();
            item.Transaction = transaction;
            item.CommandText = "INSERT INTO row_item (owner, collection, key, payload) VALUES ($o, $c, $k, $p) ON CONFLICT (owner, collection, key) DO UPDATE SET payload = excluded.payload";
            item.Parameters.AddWithValue("$o", owner);
            var (collection, key, payload) = (item.Parameters.Add("$c", SqliteType.Text), item.Parameters.Add("$k", SqliteType.Integer), item.Parameters.Add("$p", SqliteType.Text));
            item.Prepare();
            foreach (var row in rows)
            {
                (collection.Value, key.Value, payload.Value) = (row.Collection, row.Key, row.Payload);
                item.ExecuteNonQuery();
            }
            return 1;
        });
        if (written != 1)
            throw new InconsistentStateException($"the rows of {owner} changed under this activation (stored version is not {version})", "", version.ToString());
    }
}
