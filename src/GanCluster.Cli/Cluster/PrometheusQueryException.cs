namespace GanCluster.Cli.Cluster;

/// <summary>Prometheus answered <c>status: error</c> (a bad query, say), or something that is not its API.</summary>
internal sealed class PrometheusQueryException(string message) : Exception(message);
