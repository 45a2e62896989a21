namespace GanCluster.Cli.Cluster;

/// <summary>One series of an instant query's answer: its labels (with <c>__name__</c> where the query keeps it) and value.</summary>
internal sealed record PrometheusSample(IReadOnlyDictionary<string, string> Labels, double Value);
