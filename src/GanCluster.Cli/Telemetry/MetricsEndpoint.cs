using GanCluster.Training.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;

namespace GanCluster.Cli.Telemetry;

/// <summary>A Prometheus scrape endpoint (<c>/metrics</c>) for one training process, on its own HTTP/1 port.</summary>
internal sealed class MetricsEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;

    private MetricsEndpoint(WebApplication app) => _app = app;

    public string Url => _app.Urls.First() + "/metrics";

    public static async Task<MetricsEndpoint> StartAsync(string host, int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{host}:{port}");
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(TrainingMeter.MeterName, RankMeter.Name)
            .AddPrometheusExporter());
        var app = builder.Build();
        app.MapPrometheusScrapingEndpoint("/metrics");
        try
        {
            await app.StartAsync();
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            throw new UsageException($"cannot serve metrics on {host}:{port}: {e.Message}");
        }
        return new MetricsEndpoint(app);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
