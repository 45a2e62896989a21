using System.Text.Json;
using GanCluster.Contracts.Control;
using GanCluster.Contracts.Security;
using GanCluster.Worker;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GanCluster.Bench;

/// <summary>
/// A running local cluster (<c>gancluster up --cluster DIR</c>) as the load benchmarks reach it: the CLI's gRPC API
/// with the cluster's token, and one Orleans client that carries a fleet of simulated workers. The workers'
/// identities are issued as <c>up</c> issues real ones: a certificate from the cluster's authority, and a
/// credential per worker derived from the cluster key; each grain call names the simulated worker whose task makes
/// it (<see cref="ActAs"/>).
/// </summary>
internal sealed class BenchCluster : IDisposable
{
    private static readonly AsyncLocal<(string Id, string Credential)?> Current = new();

    private readonly GrpcChannel _channel;
    private readonly IHost _host;
    private readonly ClusterKey _key;

    private BenchCluster(GrpcChannel channel, IHost host, ClusterKey key, int siloPid)
    {
        (_channel, _host, _key, SiloPid) = (channel, host, key, siloPid);
        Api = new ControlPlane.ControlPlaneClient(channel.CreateCallInvoker());
        Grains = host.Services.GetRequiredService<IClusterClient>();
    }

    public ControlPlane.ControlPlaneClient Api { get; private set; }

    public IClusterClient Grains { get; }

    /// <summary>The first silo's process, for its memory.</summary>
    public int SiloPid { get; }

    public static BenchCluster Connect(string clusterDir)
    {
        using var info = JsonDocument.Parse(File.ReadAllText(Path.Combine(clusterDir, "cluster.json")));
        var root = info.RootElement;
        var silo = root.GetProperty("Silos")[0];
        var tokenFile = root.GetProperty("TokenFile").GetString()!;
        var state = Path.GetDirectoryName(tokenFile)!;
        var token = File.ReadAllText(tokenFile).Trim();
        var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{silo.GetProperty("ApiPort").GetInt32()}");
        var key = ClusterKey.Load(Path.Combine(state, "cluster-key"));
        var tlsFolder = Path.Combine(state, "tls");
        var tls = new ClusterTls(ClusterCertificates.Issue(tlsFolder, "bench-workers", silo: false, TimeSpan.FromDays(1)), Path.Combine(tlsFolder, "ca.crt"));
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(c =>
        {
            c.UseLocalhostClustering(silo.GetProperty("GatewayPort").GetInt32());
            c.UseWorkerCredential("sim-0", key.WorkerCredential("sim-0"), tls);
            c.AddOutgoingGrainCallFilter(call =>
            {
                if (Current.Value is { } me)
                {
                    RequestContext.Set(CallerCredential.IdKey, me.Id);
                    RequestContext.Set(CallerCredential.ProofKey, me.Credential);
                }
                return call.Invoke();
            });
        });
        var host = builder.Build();
        host.StartAsync().GetAwaiter().GetResult();
        var cluster = new BenchCluster(channel, host, key, silo.GetProperty("Pid").GetInt32());
        cluster.Api = new ControlPlane.ControlPlaneClient(channel.CreateCallInvoker().Intercept(m => { m.Add("authorization", "Bearer " + token); return m; }));
        return cluster;
    }

    /// <summary>From here on in this async flow, grain calls are made as simulated worker <paramref name="workerId"/>.</summary>
    public void ActAs(string workerId) => Current.Value = (workerId, _key.WorkerCredential(workerId));

    public double SiloResidentMegabytes() =>
        File.ReadLines($"/proc/{SiloPid}/status").Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024).First();

    public void Dispose()
    {
        _host.StopAsync().GetAwaiter().GetResult();
        _host.Dispose();
        _channel.Dispose();
    }
}
