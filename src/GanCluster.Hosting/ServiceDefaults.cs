using System.Net;
using GanCluster.Hosting.Endpoints;
using GanCluster.Hosting.Logging;
using GanCluster.Hosting.Settings;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace GanCluster.Hosting;

/// <summary>What every GanCluster host has: Serilog, validated <see cref="HostingOptions"/>, health checks and Prometheus metrics on their own port.</summary>
public static class ServiceDefaults
{
    /// <summary>The Orleans runtime's meter, exported by every host.</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>
    /// Adds logging for <paramref name="identity"/>, health checks, and (unless <c>Hosting:Metrics</c> is false) metrics from
    /// <paramref name="meterNames"/>, Orleans and the runtime. <paramref name="configureMetrics"/> adds views, e.g. histogram buckets.
    /// Listens on <c>Hosting:MetricsPort</c> (HTTP/1); a host's other ports are its own <c>ConfigureKestrel</c> calls.
    /// </summary>
    public static WebApplicationBuilder AddServiceDefaults(
        this WebApplicationBuilder builder,
        HostIdentity identity,
        IEnumerable<string> meterNames,
        Action<MeterProviderBuilder>? configureMetrics = null)
    {
        builder.AddHostLogging(identity);

        // Needed now, not at start: the listen address and whether the exporter exists at all.
        var hosting = SettingsBinder.Load<HostingOptions>(builder.Configuration, HostingOptions.Section);
        builder.Services.AddValidatedOptions<HostingOptions>(HostingOptions.Section);

        var metricsEndpoint = new MetricsEndpoint();
        builder.Services.AddSingleton(metricsEndpoint);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, MetricsPortPolicy>());
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Parse(hosting.Host), hosting.MetricsPort, listen =>
        {
            listen.Protocols = HttpProtocols.Http1;
            metricsEndpoint.Track(listen);
        }));

        builder.Services.AddHealthChecks();

        if (hosting.Metrics)
        {
            var meters = meterNames.Append(OrleansMeter).ToArray();
            builder.Services.AddOpenTelemetry().WithMetrics(metrics =>
            {
                metrics.AddMeter(meters).AddRuntimeInstrumentation().AddPrometheusExporter();
                configureMetrics?.Invoke(metrics);
            });
        }
        return builder;
    }

    /// <summary>Maps <c>/health/live</c> (runs no check), <c>/health/ready</c> (checks tagged <see cref="HealthTags.Ready"/>) and <c>/metrics</c>, all on the metrics port only.</summary>
    /// <summary>Serves an endpoint on the metrics port only, as <c>/metrics</c> and <c>/health/*</c> are.</summary>
    public static TBuilder OnMetricsPortOnly<TBuilder>(this TBuilder endpoint) where TBuilder : IEndpointConventionBuilder =>
        endpoint.WithMetadata(MetricsPortOnly.Instance);

    public static WebApplication MapServiceDefaults(this WebApplication app)
    {
        var metricsEndpoint = app.Services.GetRequiredService<MetricsEndpoint>();

        // Liveness must never reach a grain or a peer: a slow silo would get a healthy worker killed.
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false })
            .WithMetadata(MetricsPortOnly.Instance);
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(HealthTags.Ready) })
            .WithMetadata(MetricsPortOnly.Instance);
        if (app.Services.GetRequiredService<IOptions<HostingOptions>>().Value.Metrics)
            app.MapPrometheusScrapingEndpoint("/metrics").WithMetadata(MetricsPortOnly.Instance);

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ServiceDefaults).FullName!);
        app.Lifetime.ApplicationStarted.Register(() =>
            logger.LogInformation("Serving health and metrics on {MetricsAddress}", metricsEndpoint.Address));
        return app;
    }
}
