using GanCluster.Contracts.Grains;
using GanCluster.Contracts.Hosting;
using Orleans.Configuration;
using GanCluster.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// A worker of the control plane: an Orleans client that heartbeats to the scheduler, trains the rank it is
// assigned (single-process or one rank of a gang), reports progress and health, and stops when told to.
WorkerOptions options;
try
{
    options = WorkerOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error (usage): {e.Message}");
    return 2;
}

var builder = Host.CreateApplicationBuilder();
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.UseOrleansClient(client =>
{
    if (options.Postgres is not { } postgres)
    {
        client.UseLocalhostClustering(options.GatewayPort);
        return;
    }
    client.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (postgres.ClusterId, postgres.ClusterId));
    client.UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = (PostgresStore.Invariant, postgres.ConnectionString));
    // Learn about silos that join or die within seconds, not the default minute.
    client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
    // A call that went to a silo as it died is retried after 10 s instead of Orleans' default 30 s.
    client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(10));
});
using var host = builder.Build();
await host.StartAsync();
var grains = host.Services.GetRequiredService<IClusterClient>();
var scheduler = grains.GetGrain<ISchedulerGrain>(0);
using var meter = new GanCluster.Training.Telemetry.TrainingMeter();
var descriptor = new WorkerDescriptor(options.Id, Environment.MachineName, "cpu", options.Threads, $"{options.Host}:{options.RingPort}");
Console.WriteLine($"worker {options.Id} ready: {options.DescribeSilos()}, ring endpoint {descriptor.RingEndpoint}, {options.Threads} thread(s), store {options.Store}");

using var shutdown = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; shutdown.Cancel(); };
using var onTerminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; shutdown.Cancel(); });

RankJob? job = null;
Task running = Task.CompletedTask;
using var beat = new PeriodicTimer(TimeSpan.FromSeconds(1));
try
{
    do
    {
        WorkerAssignment? assignment;
        try
        {
            assignment = await scheduler.Heartbeat(descriptor with { Running = job is { } j && !running.IsCompleted ? j.Assignment : null });
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The silo is down or restarting: keep training, keep trying (the Orleans client reconnects).
            Console.Error.WriteLine($"heartbeat failed ({e.GetType().Name}: {e.Message}); retrying");
            continue;
        }
        if (job is not null && running.IsCompleted)
            job = null;
        if (job is not null && !job.Assignment.SamePlacement(assignment))
            job.Stop(); // revoked (cancelled, our lease expired) or superseded by a new placement of the run
        else if (job is null && assignment is not null)
        {
            job = new RankJob(grains, options, assignment, Console.Out, meter);
            running = Task.Run(job.RunAsync);
        }
    }
    while (await beat.WaitForNextTickAsync(shutdown.Token));
}
catch (OperationCanceledException)
{
}
job?.Stop();
await running;
await host.StopAsync();
return 0;
