using GanCluster.Contracts.Grains;
using GanCluster.Contracts.Security;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace GanCluster.Silo.Telemetry;

/// <summary>
/// Reads the scheduler's numbers every couple of seconds for <see cref="ControlPlaneMeter"/>. Every silo asks; only
/// the one the scheduler lives on keeps them, so a cluster of silos exports each number once.
/// </summary>
public sealed class SchedulerStatsPoller(IGrainFactory grains, ILocalSiloDetails silo, ControlPlaneMeter meter, ClusterKey key, ILogger<SchedulerStatsPoller> logger) : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Api.BearerTokenInterceptor.ActAsApi(key);
        using var timer = new PeriodicTimer(Period);
        do
        {
            try
            {
                var stats = await grains.GetGrain<ISchedulerGrain>(0).Stats().WaitAsync(Period * 5, stoppingToken);
                meter.Stats = stats.Silo == silo.SiloAddress.ToString() ? stats : null;
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // A failover in progress: the numbers come back with the scheduler.
                meter.Stats = null;
                logger.LogDebug(e, "Scheduler statistics unavailable");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
