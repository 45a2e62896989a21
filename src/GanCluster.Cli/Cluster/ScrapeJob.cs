namespace GanCluster.Cli.Cluster;

/// <summary>What a scraped process is: the Prometheus <c>job</c> label, so dashboards can tell silos from workers.</summary>
internal enum ScrapeJob
{
    Silo,
    Worker,
}
