using GanCluster.Rank;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace GanCluster.Worker;

/// <summary>Trains the static-ring rank on a thread of its own, then stops the host with the rank's exit code.</summary>
public sealed class StaticRingService(IOptions<StaticRingOptions> options, RankMeter meter, IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The rank handles Ctrl+C and SIGTERM itself (the ranks vote to stop after the same step); the host stops after it.
        Environment.ExitCode = await Task.Factory.StartNew(() => StaticRingRank.Run(options.Value, meter), TaskCreationOptions.LongRunning);
        lifetime.StopApplication();
    }
}
