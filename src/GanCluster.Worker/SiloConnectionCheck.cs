using GanCluster.Contracts.Grains;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GanCluster.Worker;

/// <summary>Ready means the worker's last heartbeat reached the scheduler (the silo connection works).</summary>
public sealed class SiloConnectionCheck(WorkerLoop loop) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var since = DateTimeOffset.UtcNow - loop.LastHeartbeat;
        return Task.FromResult(since < 3 * WorkerLoop.HeartbeatPeriod
            ? HealthCheckResult.Healthy($"last heartbeat {since.TotalSeconds:0.0} s ago")
            : HealthCheckResult.Unhealthy(loop.LastHeartbeat == DateTimeOffset.MinValue ? "no heartbeat has reached the scheduler yet" : $"no heartbeat for {since.TotalSeconds:0} s"));
    }
}
