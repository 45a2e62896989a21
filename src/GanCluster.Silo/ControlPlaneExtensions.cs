using GanCluster.Contracts.Security;
using System.Net;
using GanCluster.Hosting;
using GanCluster.Silo.Api;
using GanCluster.Silo.Security;
using GanCluster.Silo.Storage;
using GanCluster.Silo.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GanCluster.Silo;

/// <summary>The silo's wiring: its store and grains, its API, and its metrics.</summary>
public static class ControlPlaneExtensions
{
    /// <summary>The Orleans silo on the embedded SQLite state or on PostgreSQL (whose schema is applied first); false, with exit code 3, when the store cannot be reached.</summary>
    public static async Task<bool> AddControlPlaneStoreAsync(this WebApplicationBuilder builder, SiloOptions options)
    {
        PrivateFiles.EnsureFolder(options.StatePath);
        if (options.SharedStore() is { } postgres)
        {
            try
            {
                await PostgresSchema.ApplyAsync(postgres, CancellationToken.None);
            }
            catch (InvalidOperationException e)
            {
                await Console.Error.WriteLineAsync($"error (store): {e.Message}");
                Environment.ExitCode = 3;
                return false;
            }
        }
        ClusterKey key;
        try
        {
            key = ClusterKey.LoadOrCreate(options.ClusterKeyPath);
        }
        catch (InvalidOperationException e)
        {
            await Console.Error.WriteLineAsync($"error (settings): {e.Message}");
            Environment.ExitCode = 2;
            return false;
        }
        builder.Services.AddSingleton(key);
        builder.Services.AddSingleton<SweepMeter>();
        builder.UseOrleans(silo => silo.UseClusterStore(options).UseClusterSecurity(options.Tls()));
        builder.Services.AddHealthChecks().AddCheck<StorageReadyCheck>("storage", tags: [HealthTags.Ready]);
        return true;
    }

    /// <summary>The CLI's gRPC API on its own HTTP/2 port, behind the bearer token, timed per method.</summary>
    public static WebApplicationBuilder AddControlPlaneApi(this WebApplicationBuilder builder, SiloOptions options)
    {
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Parse(options.Host), options.ApiPort, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddSingleton(BearerToken.FromFile(options.TokenPath, create: true));
        builder.Services.AddSingleton<ControlPlaneMeter>();
        builder.Services.AddHostedService<SchedulerStatsPoller>();
        builder.Services.AddGrpc(grpc =>
        {
            grpc.Interceptors.Add<ApiMetricsInterceptor>();
            grpc.Interceptors.Add<BearerTokenInterceptor>();
            grpc.Interceptors.Add<ClusterUnavailableInterceptor>();
        });
        return builder;
    }

    public static WebApplication MapControlPlaneApi(this WebApplication app)
    {
        app.MapGrpcService<ControlPlaneService>();
        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SiloOptions>>().Value;
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("GanCluster.Silo");
        app.Lifetime.ApplicationStarted.Register(() => logger.LogInformation(
            "Silo ready: api http://{Host}:{ApiPort}, silo {Host}:{SiloPort}, gateway {GatewayPort} ({Tls}), {Store}",
            options.Host, options.ApiPort, options.Host, options.SiloPort, options.GatewayPort,
            options.Tls() is null ? "no TLS: any local process with a worker credential may connect" : "mutual TLS", options.DescribeStore()));
        return app;
    }
}
