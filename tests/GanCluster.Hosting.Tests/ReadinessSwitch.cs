using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GanCluster.Hosting.Tests;

/// <summary>A readiness check a test turns on and off, counting how often it is asked.</summary>
internal sealed class ReadinessSwitch : IHealthCheck
{
    private int _calls;

    public volatile bool Ready;

    public int Calls => Volatile.Read(ref _calls);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        return Task.FromResult(Ready ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("silo not reached"));
    }
}
