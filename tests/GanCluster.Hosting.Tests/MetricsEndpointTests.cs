using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using GanCluster.Hosting.Endpoints;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace GanCluster.Hosting.Tests;

public sealed class MetricsEndpointTests
{
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private static Task<string> Scrape(TestHost host) =>
        s_http.GetStringAsync(new Uri(host.MetricsAddress, "metrics"), TestContext.Current.CancellationToken);

    [Fact]
    public async Task Metrics_serve_the_callers_meter_and_the_runtime()
    {
        using var meter = new Meter("GanCluster.Test");
        var steps = meter.CreateCounter<long>("gancluster_test_steps");
        await using var host = await TestHost.Create().StartAsync();

        steps.Add(5);
        var text = await Eventually.Until(() => Scrape(host), t => t.Contains("gancluster_test_steps_total", StringComparison.Ordinal));

        var counter = text.Split('\n').Single(l => l.StartsWith("gancluster_test_steps_total{", StringComparison.Ordinal));
        Assert.Equal("5", counter.Split(' ')[1]);
        Assert.Contains(text.Split('\n'), l => l.StartsWith("dotnet_", StringComparison.Ordinal) || l.StartsWith("process_runtime_dotnet_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_view_hook_sets_histogram_buckets()
    {
        using var meter = new Meter("GanCluster.Test");
        var stepTime = meter.CreateHistogram<double>("gancluster_test_step_seconds");
        await using var host = await TestHost.Create(metrics: m => m.AddView("gancluster_test_step_seconds",
            new ExplicitBucketHistogramConfiguration { Boundaries = [0.125, 0.25, 0.5] })).StartAsync();

        stepTime.Record(0.3);
        var text = await Eventually.Until(() => Scrape(host), t => t.Contains("gancluster_test_step_seconds_bucket", StringComparison.Ordinal));

        var buckets = text.Split('\n').Where(l => l.StartsWith("gancluster_test_step_seconds_bucket", StringComparison.Ordinal)).ToList();
        Assert.Equal(["0.125", "0.25", "0.5", "+Inf"], buckets.Select(l => l[(l.IndexOf("le=\"", StringComparison.Ordinal) + 4)..l.IndexOf("\"}", StringComparison.Ordinal)]));
        Assert.Contains(buckets, l => l.Contains("le=\"0.5\"", StringComparison.Ordinal) && l.Split(' ')[1] == "1");
    }

    [Fact]
    public async Task Disabled_metrics_remove_the_exporter()
    {
        await using var host = await TestHost.Create(environment: new Dictionary<string, string?> { ["GANCLUSTER_HOSTING__METRICS"] = "false" }).StartAsync();

        var response = await s_http.GetAsync(new Uri(host.MetricsAddress, "metrics"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Null(host.App.Services.GetService<MeterProvider>());
        Assert.Equal(HttpStatusCode.OK, (await s_http.GetAsync(new Uri(host.MetricsAddress, "health/live"), TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task Metrics_are_not_served_on_the_grpc_port()
    {
        await using var host = await TestHost.Create().StartAsync();
        using var h2c = Http2.Client();

        var response = await h2c.GetAsync($"http://127.0.0.1:{host.Http2Port}/metrics", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await s_http.GetAsync(new Uri(host.MetricsAddress, "metrics"), TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task A_given_metrics_port_is_the_one_bound_and_logged()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        await using var host = await TestHost.Create(["--metrics-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]).StartAsync();

        Assert.Equal(port, host.App.Services.GetRequiredService<MetricsEndpoint>().Port);
        Assert.Equal(HttpStatusCode.OK, (await s_http.GetAsync($"http://127.0.0.1:{port}/health/live", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Contains($"http://127.0.0.1:{port}/", await Eventually.Until(() => Task.FromResult(host.Logs), l => l.Contains("Serving health and metrics", StringComparison.Ordinal)), StringComparison.Ordinal);
    }
}
