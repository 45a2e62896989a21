using GanCluster.Contracts.Security;
using GanCluster.Hosting;
using GanCluster.Hosting.Settings;
using GanCluster.Hosting.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using GanCluster.Rank;
using GanCluster.Training.Telemetry;
using OpenTelemetry.Metrics;
using Orleans.Configuration;

namespace GanCluster.Worker;

/// <summary>The worker's two modes, wired.</summary>
public static class WorkerExtensions
{
    /// <summary>Every meter a worker exports: its own state, its ranks' costs, and the health of the runs it trains.</summary>
    public static readonly string[] Meters = [WorkerMeter.Name, RankMeter.Name, TrainingMeter.MeterName];

    /// <summary>Histogram buckets fitted to GAN steps (milliseconds on an MLP, seconds on DCGAN-64).</summary>
    public static void Views(MeterProviderBuilder metrics) =>
        metrics.AddView("gancluster_step_seconds", new ExplicitBucketHistogramConfiguration { Boundaries = RankMeter.StepSecondsBuckets });

    public static WebApplicationBuilder AddWorkerMeters(this WebApplicationBuilder builder, WorkerOptions options)
    {
        builder.Services.AddSingleton(_ => new RankMeter(TimeSpan.FromSeconds(options.SeriesLingerSeconds)));
        builder.Services.AddSingleton<WorkerMeter>();
        return builder;
    }

    /// <summary>An Orleans client of the embedded silo's gateway (or of the silos in the shared PostgreSQL membership table), and the worker loop.</summary>
    public static WebApplicationBuilder AddClusterWorker(this WebApplicationBuilder builder, WorkerOptions options)
    {
        if (options.RingPort == 0)
            options.RingPort = GanCluster.Collective.FreePorts.Take(1)[0];
        // The options others read carry the ring port chosen here.
        builder.Services.PostConfigure<WorkerOptions>(o => o.RingPort = options.RingPort);
        var credential = CallerCredential.Read(options.CredentialFile!);
        builder.UseOrleansClient(client =>
        {
            client.UseWorkerCredential(options.Id, credential, options.Tls());
            if (options.SharedStore() is not { } postgres)
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
        builder.Services.AddSingleton<WorkerLoop>();
        builder.Services.AddHostedService(services => services.GetRequiredService<WorkerLoop>());
        builder.Services.AddHealthChecks().AddCheck<SiloConnectionCheck>("silo", tags: [HealthTags.Ready]);
        return builder;
    }

    /// <summary>One rank of a static ring: trained as a hosted service, whose outcome is the process's exit code.</summary>
    public static WebApplicationBuilder AddStaticRingRank(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<StaticRingOptions>(StaticRingOptions.Section);
        builder.Services.AddHostedService<StaticRingService>();
        return builder;
    }
}
