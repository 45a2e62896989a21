using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace GanCluster.Cli.Tests;

/// <summary>A real scrape endpoint for Prometheus to read: <c>/metrics</c> serving one gauge whose value the test sets.</summary>
internal sealed class GaugeEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;
    private double _value;

    private GaugeEndpoint(WebApplication app, int port, string gauge, double value)
    {
        _app = app;
        Port = port;
        Gauge = gauge;
        _value = value;
    }

    public int Port { get; }

    public string Gauge { get; }

    public double Value
    {
        get => Volatile.Read(ref _value);
        set => Volatile.Write(ref _value, value);
    }

    public static async Task<GaugeEndpoint> StartAsync(string gauge, double value)
    {
        var port = GanCluster.Collective.FreePorts.Take(1)[0];
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var endpoint = new GaugeEndpoint(app, port, gauge, value);
        app.MapGet("/metrics", () => Results.Text(
            $"# HELP {gauge} A value the test sets.\n# TYPE {gauge} gauge\n{gauge} {endpoint.Value.ToString("R", CultureInfo.InvariantCulture)}\n",
            "text/plain; version=0.0.4; charset=utf-8"));
        await app.StartAsync();
        return endpoint;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
