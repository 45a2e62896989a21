using System.Text.Json;
using Microsoft.Data.Sqlite;
using Orleans.Storage;

namespace GanCluster.Silo.Storage;

/// <summary>
/// Grain state in the embedded SQLite file (<see cref="SqliteDatabase"/>, whose one writer commits writes in
/// groups). One row per (state name, grain id) holding the state as JSON and an ETag; a write whose ETag is stale
/// is refused, as Orleans providers must.
/// </summary>
public sealed class SqliteGrainStorage : IGrainStorage
{
    private readonly SqliteDatabase _database;

    public SqliteGrainStorage(SqliteDatabase database)
    {
        _database = database;
        using var connection = database.OpenReader();
        SqliteDatabase.Execute(connection, """
            CREATE TABLE IF NOT EXISTS grain_state (
                state_name TEXT NOT NULL,
                grain_id   TEXT NOT NULL,
                etag       TEXT NOT NULL,
                payload    TEXT NOT NULL,
                updated    TEXT NOT NULL,
                PRIMARY KEY (state_name, grain_id));
            """);
    }

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await using var connection = _database.OpenReader();
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
        var (id, oldETag, etag) = (grainId.ToString(), grainState.ETag, Guid.NewGuid().ToString("N"));
        // Serialised here, on the grain's turn, so that the writer thread only writes.
        var payload = JsonSerializer.Serialize(grainState.State, GrainStateJson.Options);
        var rows = await _database.Write((connection, transaction) =>
        {
            using var command = Command(connection, oldETag is null
                ? "INSERT INTO grain_state (state_name, grain_id, etag, payload, updated) VALUES ($s, $g, $new, $p, $u) ON CONFLICT DO NOTHING"
                : "UPDATE grain_state SET etag = $new, payload = $p, updated = $u WHERE state_name = $s AND grain_id = $g AND etag = $old", stateName, id, transaction);
            if (oldETag is not null)
                command.Parameters.AddWithValue("$old", oldETag);
            command.Parameters.AddWithValue("$new", etag);
            command.Parameters.AddWithValue("$p", payload);
            command.Parameters.AddWithValue("$u", DateTimeOffset.UtcNow.ToString("O"));
            return command.ExecuteNonQuery();
        });
        if (rows != 1)
            throw new InconsistentStateException(oldETag is null
                ? $"grain state {stateName}/{grainId} was created concurrently"
                : $"grain state {stateName}/{grainId} changed under this activation (stale ETag)", "", oldETag ?? "");
        grainState.ETag = etag;
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var id = grainId.ToString();
        await _database.Write((connection, transaction) =>
        {
            using var command = Command(connection, "DELETE FROM grain_state WHERE state_name = $s AND grain_id = $g", stateName, id, transaction);
            return command.ExecuteNonQuery();
        });
        grainState.ETag = null;
        grainState.RecordExists = false;
        grainState.State = Activator.CreateInstance<T>();
    }

    /// <summary>A command on one grain's row: <c>$s</c> is the state name and <c>$g</c> the grain id.</summary>
    private static SqliteCommand Command(SqliteConnection connection, string sql, string stateName, string grainId, SqliteTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        command.Parameters.AddWithValue("$s", stateName);
        command.Parameters.AddWithValue("$g", grainId);
        return command;
    }
}
