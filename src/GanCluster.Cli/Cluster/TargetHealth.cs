namespace GanCluster.Cli.Cluster;

/// <summary>What Prometheus made of a target's last scrape (<c>unknown</c> until the first one).</summary>
internal enum TargetHealth
{
    Unknown,
    Up,
    Down,
}
