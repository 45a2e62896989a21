using GanCluster.Contracts.Control;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Grpc.Net.Client.Configuration;

namespace GanCluster.Cli.Cluster;

/// <summary>The API client of a cluster, with its bearer token on every call.</summary>
internal sealed class ControlPlaneConnection : IDisposable
{
    private readonly GrpcChannel _channel;

    public ControlPlaneConnection(string apiUrl, string token)
    {
        _channel = GrpcChannel.ForAddress(apiUrl, new GrpcChannelOptions { ServiceConfig = RetryReads, MaxRetryAttempts = 10 });
        Client = new ControlPlane.ControlPlaneClient(_channel.CreateCallInvoker().Intercept(metadata =>
        {
            metadata.Add("authorization", "Bearer " + token);
            return metadata;
        }));
    }

    public ControlPlane.ControlPlaneClient Client { get; }

    /// <summary>
    /// Reads and cancels are retried while the cluster reports <c>Unavailable</c> (a silo failing over takes a few
    /// seconds): up to 10 attempts with jittered backoff growing to 5 s, about 20 s in all. Submits are not retried, so a run is never submitted twice.
    /// </summary>
    private static readonly string Service = ControlPlane.Descriptor.FullName;

    private static readonly ServiceConfig RetryReads = new()
    {
        MethodConfigs =
        {
            new MethodConfig
            {
                Names =
                {
                    new MethodName { Service = Service, Method = "ListRuns" },
                    new MethodName { Service = Service, Method = "GetRun" },
                    new MethodName { Service = Service, Method = "CancelRun" },
                    new MethodName { Service = Service, Method = "WatchRun" },
                    new MethodName { Service = Service, Method = "ListWorkers" },
                },
                RetryPolicy = new RetryPolicy
                {
                    MaxAttempts = 10,
                    InitialBackoff = TimeSpan.FromSeconds(1),
                    MaxBackoff = TimeSpan.FromSeconds(5),
                    BackoffMultiplier = 2,
                    RetryableStatusCodes = { StatusCode.Unavailable },
                },
            },
        },
    };

    public static ControlPlaneConnection Open(string? clusterDir)
    {
        var info = ClusterDirectory.Default(clusterDir).Require();
        if (!File.Exists(info.TokenFile))
            throw new UsageException($"the cluster's API token {info.TokenFile} is missing");
        return new ControlPlaneConnection(info.ApiSilo.ApiUrl, File.ReadAllText(info.TokenFile).Trim());
    }

    public void Dispose() => _channel.Dispose();
}
