using GanCluster.Contracts.Security;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Orleans.Storage;

namespace GanCluster.Silo.Storage;

/// <summary>
/// Grain state in one local SQLite file: the embedded default's persistence. One row per (state name, grain id)
/// holding the state as JSON and an ETag; a write whose ETag is stale is refused, as Orleans providers must.
/// The file is opened in WAL mode and every write is a single committed statement, so a killed silo loses no
/// acknowledged write.
/// </summary>
public sealed class SqliteGrainStorage : IGrainStorage
{
    private readonly string _connectionString;

    public SqliteGrainStorage(string path)
    {
        PrivateFiles.EnsureFolder(Path.GetDirectoryName(Path.GetFullPath(path))!);
        PrivateFiles.EnsureFile(path); // SQLite gives its journal files the database's mode
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString();
        using var connection = Open();
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

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await using var connection = Open();
        await using var command = Command(connection, "SELECT etag, payload FROM grain_state WHERE state_name = $s AND grain_id = $g", stateName, grainId);
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
        await using var connection = Open();
        await using var command = Command(connection, grainState.ETag is null
            ? "INSERT INTO grain_state (state_name, grain_id, etag, payload, updated) VALUES ($s, $g, $new, $p, $u)"
            : "UPDATE grain_state SET etag = $new, payload = $p, updated = $u WHERE state_name = $s AND grain_id = $g AND etag = $old", stateName, grainId);
        if (grainState.ETag is not null)
            command.Parameters.AddWithValue("$old", grainState.ETag);
        command.Parameters.AddWithValue("$new", etag);
        command.Parameters.AddWithValue("$p", JsonSerializer.Serialize(grainState.State, GrainStateJson.Options));
        command.Parameters.AddWithValue("$u", DateTimeOffset.UtcNow.ToString("O"));
        int rows;
        try
        {
            rows = await command.ExecuteNonQueryAsync();
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19) // constraint: someone inserted first
        {
            throw new InconsistentStateException($"grain state {stateName}/{grainId} was created concurrently", "", grainState.ETag ?? "");
        }
        if (rows != 1)
            throw new InconsistentStateException($"grain state {stateName}/{grainId} changed under this activation (stale ETag)", "", grainState.ETag ?? "");
        grainState.ETag = etag;
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await using var connection = Open();
        await using var command = Command(connection, "DELETE FROM grain_state WHERE state_name = $s AND grain_id = $g", stateName, grainId);
        await command.ExecuteNonQueryAsync();
        grainState.ETag = null;
        grainState.RecordExists = false;
        grainState.State = Activator.CreateInstance<T>();
    }

    /// <summary>A command on one grain's row: <c>$s</c> is the state name and <c>$g</c> the grain id.</summary>
    private static SqliteCommand Command(SqliteConnection connection, string sql, string stateName, GrainId grainId)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$s", stateName);
        command.Parameters.AddWithValue("$g", grainId.ToString());
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
