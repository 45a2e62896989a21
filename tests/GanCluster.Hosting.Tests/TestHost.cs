using System.Net;
using GanCluster.Hosting.Configuration;
using GanCluster.Hosting.Endpoints;
using GanCluster.Hosting.Logging;
using GanCluster.Hosting.Settings;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace GanCluster.Hosting.Tests;

/// <summary>A worker-shaped host in-process on loopback: the metrics port plus an HTTP/2 port standing in for gRPC, both on free ports.</summary>
internal sealed class TestHost : IAsyncDisposable
{
    public static readonly IReadOnlyDictionary<string, string> WorkerSwitches = new Dictionary<string, string>
    {
        ["--id"] = "Worker:Id",
        ["--threads"] = "Worker:Threads",
        ["--metrics-port"] = "Hosting:MetricsPort",
    };

    private readonly StringWriter _logs;
    private ListenOptions? _http2;

    private TestHost(StringWriter logs, WebApplication app)
    {
        _logs = logs;
        App = app;
    }

    public WebApplication App { get; }

    public Uri MetricsAddress => App.Services.GetRequiredService<MetricsEndpoint>().Address;

    public int Http2Port => _http2!.IPEndPoint!.Port;

    /// <summary>Everything logged so far, one compact-JSON (or text) event a line.</summary>
    public string Logs
    {
        get
        {
            lock (_logs)
                return _logs.ToString();
        }
    }

    public T Options<T>() where T : class => App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<T>>().Value;

    /// <summary>Builds the host as a Program.cs would; <paramref name="configure"/> runs after the defaults, before Build.</summary>
    public static TestHost Create(
        string[]? args = null,
        IReadOnlyDictionary<string, string?>? environment = null,
        Action<WebApplicationBuilder>? configure = null,
        Action<MeterProviderBuilder>? metrics = null,
        Action<WebApplication>? map = null)
    {
        var logs = new StringWriter();
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.UseGanClusterSources(args ?? [], WorkerSwitches, environment ?? new Dictionary<string, string?>());
        builder.Services.AddSingleton(new LogDestination(TextWriter.Synchronized(logs), isTerminal: false));
        builder.AddServiceDefaults(new HostIdentity("worker", "w-test"), ["GanCluster.Test"], metrics);
        builder.Services.AddValidatedOptions<TestWorkerOptions>("Worker");
        ListenOptions? http2 = null;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            http2 = listen;
        }));
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapServiceDefaults();
        app.MapGet("/ping", () => "pong");
        map?.Invoke(app);
        var host = new TestHost(logs, app);
        app.Lifetime.ApplicationStarted.Register(() => host._http2 = http2);
        return host;
    }

    public async Task<TestHost> StartAsync()
    {
        await App.StartAsync(TestContext.Current.CancellationToken);
        return this;
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync(CancellationToken.None);
        await App.DisposeAsync();
    }
}
