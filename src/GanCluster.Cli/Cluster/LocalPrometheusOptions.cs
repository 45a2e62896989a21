namespace GanCluster.Cli.Cluster;

/// <summary>How to run a local Prometheus: where its files go, what it scrapes and how often.</summary>
internal sealed class LocalPrometheusOptions
{
    /// <summary>Holds prometheus.yml, the TSDB (<c>data/</c>) and <c>prometheus.log</c>.</summary>
    public required string Directory { get; init; }

    /// <summary>The file-based discovery file (see <see cref="PrometheusTargets"/>); it may be written after the start.</summary>
    public required string TargetsFile { get; init; }

    public TimeSpan ScrapeInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Discovery also re-reads the file this often, in case an inotify event is missed.</summary>
    public TimeSpan TargetsRefresh { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The loopback port of the web UI and API; null takes a free one.</summary>
    public int? Port { get; init; }

    /// <summary>The prometheus executable; null looks in /usr/bin, then on PATH.</summary>
    public string? Binary { get; init; }

    /// <summary>Its own session and no tie to this process, so that it outlives the command that started it (`up`, then `down`).</summary>
    public bool Detached { get; init; }

    /// <summary>Serves <c>POST /-/reload</c> and <c>/-/quit</c>.</summary>
    public bool EnableLifecycle { get; init; }

    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Fails with the setting's name, before anything is started.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Directory))
            throw new UsageException("Prometheus: Directory is empty");
        if (string.IsNullOrWhiteSpace(TargetsFile))
            throw new UsageException("Prometheus: TargetsFile is empty");
        if (ScrapeInterval < TimeSpan.FromMilliseconds(100))
            throw new UsageException($"Prometheus: ScrapeInterval must be at least 100 ms, found {ScrapeInterval.TotalMilliseconds:0} ms");
        if (TargetsRefresh < TimeSpan.FromMilliseconds(100))
            throw new UsageException($"Prometheus: TargetsRefresh must be at least 100 ms, found {TargetsRefresh.TotalMilliseconds:0} ms");
        if (Port is < 1 or > 65535)
            throw new UsageException($"Prometheus: Port must be 1..65535, found {Port}");
        if (ReadyTimeout <= TimeSpan.Zero)
            throw new UsageException("Prometheus: ReadyTimeout must be positive");
    }
}
