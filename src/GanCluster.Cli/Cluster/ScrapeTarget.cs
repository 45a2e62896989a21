namespace GanCluster.Cli.Cluster;

/// <summary>One process's metrics endpoint, as Prometheus file-based discovery lists it.</summary>
internal sealed record ScrapeTarget(ScrapeJob Job, string Name, string Host, int Port)
{
    public string Name { get; } = !string.IsNullOrWhiteSpace(Name) ? Name : throw new ArgumentException("a scrape target needs a name (silo-1, worker-2)", nameof(Name));

    public string Host { get; } = !string.IsNullOrWhiteSpace(Host) ? Host : throw new ArgumentException($"scrape target {Name} needs a host", nameof(Host));

    public int Port { get; } = Port is >= 1 and <= 65535 ? Port : throw new ArgumentOutOfRangeException(nameof(Port), Port, $"scrape target {Name}: a port is 1..65535");

    /// <summary>The <c>job</c> label value: <c>gancluster-silo</c> or <c>gancluster-worker</c>.</summary>
    public string JobLabel => Job switch
    {
        ScrapeJob.Silo => "gancluster-silo",
        ScrapeJob.Worker => "gancluster-worker",
        _ => throw new ArgumentOutOfRangeException(nameof(Job), Job, "unknown scrape job"),
    };

    /// <summary>host:port, which Prometheus also uses as the <c>instance</c> label.</summary>
    public string Address => $"{Host}:{Port}";
}
