using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Runtime;

namespace GanCluster.Silo.Storage;

/// <summary>Ready means: this silo is an active member, and its store answers a query (SQLite file or PostgreSQL).</summary>
public sealed class StorageReadyCheck(IOptions<SiloOptions> options, ISiloStatusOracle membership) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (membership.CurrentStatus != SiloStatus.Active)
            return HealthCheckResult.Unhealthy($"the silo is {membership.CurrentStatus}, not yet an active member");
        var silo = options.Value;
        try
        {
            if (silo.SharedStore() is { } postgres)
            {
                await using var connection = new NpgsqlConnection(postgres.ConnectionString);
                await connection.OpenAsync(cancellationToken);
                await using var query = new NpgsqlCommand("SELECT 1", connection);
                await query.ExecuteScalarAsync(cancellationToken);
                return HealthCheckResult.Healthy(postgres.Describe());
            }
            await using var sqlite = new SqliteConnection($"Data Source={silo.DatabasePath};Mode=ReadWriteCreate");
            await sqlite.OpenAsync(cancellationToken);
            await using var select = sqlite.CreateCommand();
            select.CommandText = "SELECT 1";
            await select.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy(silo.DatabasePath);
        }
        catch (Exception e) when (e is NpgsqlException or SqliteException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return HealthCheckResult.Unhealthy($"the store does not answer: {e.Message}");
        }
    }
}
