using GanCluster.Hosting;
using GanCluster.Hosting.Configuration;
using GanCluster.Hosting.Settings;
using GanCluster.Silo;
using GanCluster.Silo.Api;
using GanCluster.Silo.Storage;
using GanCluster.Silo.Telemetry;
using Microsoft.AspNetCore.Builder;

if (HealthProbe.TryRun(args, out var probed))
    return probed;

// The control plane's silo: Orleans grains (runs, scheduler) with their state in a local SQLite file (embedded) or
// in PostgreSQL shared with other silos, the CLI's gRPC API behind a bearer token, and health and metrics.
var exit = await HostExit.RunAsync(async () =>
{
    var builder = WebApplication.CreateBuilder();
    builder.Configuration.UseGanClusterSources(args, SiloSwitches.Mappings);
    var options = SettingsBinder.Load<SiloOptions>(builder.Configuration, SiloOptions.Section);
    builder.Services.AddValidatedOptions<SiloOptions>(SiloOptions.Section);
    builder.AddServiceDefaults(new HostIdentity("silo", $"{options.Host}:{options.SiloPort}"), [ControlPlaneMeter.Name, SweepMeter.Name]);
    if (!await builder.AddControlPlaneStoreAsync(options))
        return;
    builder.AddControlPlaneApi(options);

    var app = builder.Build();
    app.MapServiceDefaults();
    app.MapControlPlaneApi();
    await app.RunAsync();
});
return exit == HostExit.Stopped ? Environment.ExitCode : exit;
