namespace GanCluster.Hosting.Endpoints;

/// <summary>Endpoint metadata: served only on the metrics port, never on a gRPC port of the same host.</summary>
internal sealed class MetricsPortOnly
{
    public static MetricsPortOnly Instance { get; } = new();
}
