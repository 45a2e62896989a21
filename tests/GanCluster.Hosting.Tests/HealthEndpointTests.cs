using System.Net;
using Microsoft.Extensions.DependencyInjection;

namespace GanCluster.Hosting.Tests;

public sealed class HealthEndpointTests
{
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private static async Task<HttpStatusCode> Get(Uri uri) =>
        (await s_http.GetAsync(uri, TestContext.Current.CancellationToken)).StatusCode;

    [Fact]
    public async Task Live_runs_no_check_and_ready_follows_the_ready_checks()
    {
        var readiness = new ReadinessSwitch();
        await using var host = await TestHost.Create(configure: builder =>
        {
            builder.Services.AddSingleton(readiness);
            builder.Services.AddHealthChecks().AddCheck<ReadinessSwitch>("silo", tags: [HealthTags.Ready]);
        }).StartAsync();

        Assert.Equal(HttpStatusCode.OK, await Get(new Uri(host.MetricsAddress, "health/live")));
        Assert.Equal(0, readiness.Calls);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await Get(new Uri(host.MetricsAddress, "health/ready")));
        Assert.Equal(1, readiness.Calls);

        readiness.Ready = true;
        Assert.Equal(HttpStatusCode.OK, await Get(new Uri(host.MetricsAddress, "health/ready")));
        Assert.Equal(HttpStatusCode.OK, await Get(new Uri(host.MetricsAddress, "health/live")));
        Assert.Equal(2, readiness.Calls);
    }

    [Fact]
    public async Task Ready_ignores_checks_without_the_ready_tag()
    {
        var untagged = new ReadinessSwitch();
        await using var host = await TestHost.Create(configure: builder =>
            builder.Services.AddHealthChecks().AddCheck("untagged", untagged)).StartAsync();

        Assert.Equal(HttpStatusCode.OK, await Get(new Uri(host.MetricsAddress, "health/ready")));
        Assert.Equal(0, untagged.Calls);
    }

    [Fact]
    public async Task Health_is_not_served_on_the_grpc_port()
    {
        await using var host = await TestHost.Create().StartAsync();
        using var h2c = Http2.Client();
        var grpcPort = new Uri($"http://127.0.0.1:{host.Http2Port}/");

        var ping = await h2c.GetAsync(new Uri(grpcPort, "ping"), TestContext.Current.CancellationToken);
        var live = await h2c.GetAsync(new Uri(grpcPort, "health/live"), TestContext.Current.CancellationToken);
        var ready = await h2c.GetAsync(new Uri(grpcPort, "health/ready"), TestContext.Current.CancellationToken);

        Assert.Equal((HttpStatusCode.OK, new Version(2, 0)), (ping.StatusCode, ping.Version));
        Assert.Equal(HttpStatusCode.NotFound, live.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, ready.StatusCode);
        Assert.NotEqual(host.Http2Port, host.MetricsAddress.Port);
    }
}
