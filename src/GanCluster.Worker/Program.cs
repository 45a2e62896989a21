using GanCluster.Hosting;
using GanCluster.Hosting.Configuration;
using GanCluster.Hosting.Settings;
using GanCluster.Worker;
using Microsoft.AspNetCore.Builder;

if (HealthProbe.TryRun(args, out var probed))
    return probed;
if (WorkerDrain.TryRun(args, out var drained))
    return drained;

// A worker: in cluster mode an Orleans client that heartbeats to the scheduler, trains the rank it is assigned and
// reports progress and health; in static-ring mode one rank of `gancluster train --world-size N`. Both serve
// health and Prometheus metrics on their metrics port.
var exit = await HostExit.RunAsync(async () =>
{
    var builder = WebApplication.CreateBuilder();
    builder.Configuration.UseGanClusterSources(args, WorkerSwitches.Mappings);
    var options = SettingsBinder.Load<WorkerOptions>(builder.Configuration, WorkerOptions.Section);
    builder.Services.AddValidatedOptions<WorkerOptions>(WorkerOptions.Section);
    builder.AddServiceDefaults(new HostIdentity("worker", options.Id), WorkerExtensions.Meters, WorkerExtensions.Views);
    builder.AddWorkerMeters(options);
    if (options.Mode == WorkerMode.StaticRing)
        builder.AddStaticRingRank();
    else
        builder.AddClusterWorker(options);

    var app = builder.Build();
    app.MapServiceDefaults();
    if (options.Mode == WorkerMode.Cluster)
        app.MapWorkerDrain();
    await app.RunAsync();
});
return exit == HostExit.Stopped ? Environment.ExitCode : exit;
