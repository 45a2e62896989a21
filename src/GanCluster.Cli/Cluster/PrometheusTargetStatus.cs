namespace GanCluster.Cli.Cluster;

/// <summary>One active target from <c>/api/v1/targets</c>: where it is scraped, its labels after relabelling, and how the last scrape went.</summary>
internal sealed record PrometheusTargetStatus(string ScrapeUrl, TargetHealth Health, IReadOnlyDictionary<string, string> Labels, string LastError);
