namespace GanCluster.Cli.Cluster;

/// <summary>
/// What `up` lets each of its workers use, recorded in cluster.json so that a restarted worker gets the same: the
/// folders runs may read datasets from, the memory one job may need, and how long a finished run's series stay.
/// </summary>
internal sealed record WorkerResources(string[] DataRoots, long MemoryLimitMegabytes)
{
    /// <summary>
    /// Seconds a finished run's health series stay on the worker's metrics endpoint: four scrapes of the cluster's own
    /// Prometheus (<c>--prometheus</c>), so its final evaluation is scraped; the worker's default otherwise.
    /// </summary>
    public double? SeriesLingerSeconds { get; init; }

    public static double LingerFor(TimeSpan scrapeInterval) => 4 * scrapeInterval.TotalSeconds;

    /// <summary>The share of the machine's memory `up` splits between its workers.</summary>
    private const double MachineShare = 0.8;

    /// <summary>
    /// The given data roots, or the current directory and, when it exists, <c>../shared/data</c> (where the examples'
    /// datasets live); the memory limit is 80% of what this machine (or its cgroup) allows, split between the workers.
    /// </summary>
    public static WorkerResources For(IReadOnlyList<string>? dataRoots, int workers)
    {
        var roots = dataRoots is { Count: > 0 } ? dataRoots.Select(Path.GetFullPath).ToArray() : Defaults();
        foreach (var root in roots.Where(r => !Directory.Exists(r)))
            throw new UsageException($"--data-root {root}: no such directory");
        var memory = (long)(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes * MachineShare / Math.Max(1, workers)) >> 20;
        return new WorkerResources(roots, memory);
    }

    private static string[] Defaults()
    {
        var here = Environment.CurrentDirectory;
        var shared = Path.GetFullPath(Path.Combine(here, "..", "shared", "data"));
        return Directory.Exists(shared) ? [here, shared] : [here];
    }

    /// <summary>The worker's settings, as the variables a container would get.</summary>
    public IEnumerable<KeyValuePair<string, string>> Settings() =>
        DataRoots.Select((root, i) => KeyValuePair.Create($"GANCLUSTER_WORKER__DATAROOTS__{i}", root))
            .Append(KeyValuePair.Create("GANCLUSTER_WORKER__MEMORYLIMITMEGABYTES", MemoryLimitMegabytes.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .Concat(SeriesLingerSeconds is { } linger
                ? [KeyValuePair.Create("GANCLUSTER_WORKER__SERIESLINGERSECONDS", linger.ToString(System.Globalization.CultureInfo.InvariantCulture))]
                : []);
}
