using GanCluster.Contracts.Control;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace GanCluster.Cli.Cluster;

/// <summary>The API client of a cluster, with its bearer token on every call.</summary>
internal sealed class ControlPlaneConnection : IDisposable
{
    private readonly GrpcChannel _channel;

    public ControlPlaneConnection(string apiUrl, string token)
    {
        _channel = GrpcChannel.ForAddress(apiUrl);
        Client = new ControlPlane.ControlPlaneClient(_channel.CreateCallInvoker().Intercept(metadata =>
        {
            metadata.Add("authorization", "Bearer " + token);
            return metadata;
        }));
    }

    public ControlPlane.ControlPlaneClient Client { get; }

    public static ControlPlaneConnection Open(string? clusterDir)
    {
        var info = ClusterDirectory.Default(clusterDir).Require();
        if (!File.Exists(info.TokenFile))
            throw new UsageException($"the cluster's API token {info.TokenFile} is missing");
        return new ControlPlaneConnection(info.ApiUrl, File.ReadAllText(info.TokenFile).Trim());
    }

    public void Dispose() => _channel.Dispose();
}
