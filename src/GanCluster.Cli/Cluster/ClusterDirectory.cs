using System.Text.Json;
using System.Text.Json.Serialization;

namespace GanCluster.Cli.Cluster;

/// <summary>One silo process of a local cluster and its loopback ports (the metrics port serves /metrics and /health/*).</summary>
internal sealed record SiloInfo(int Pid, int ApiPort, int SiloPort, int GatewayPort, int MetricsPort)
{
    /// <summary>The process's start time (<see cref="ProcessIds.StartTime"/>); null in a cluster.json written before it was recorded.</summary>
    public long? StartTime { get; init; }

    [JsonIgnore]
    public string ApiUrl => $"http://127.0.0.1:{ApiPort}";

    [JsonIgnore]
    public ClusterProcess Process => new(Pid, StartTime, ClusterBinaries.SiloDll);
}

/// <summary>One worker process of a local cluster, its metrics port and the torch threads it was given.</summary>
internal sealed record WorkerInfo(int Pid, string Name, int MetricsPort)
{
    /// <summary>The process's start time (<see cref="ProcessIds.StartTime"/>); null in a cluster.json written before it was recorded.</summary>
    public long? StartTime { get; init; }

    /// <summary>Torch threads, so that a restarted worker gets the same; null in a cluster.json written before it was recorded.</summary>
    public int? Threads { get; init; }

    [JsonIgnore]
    public ClusterProcess Process => new(Pid, StartTime, ClusterBinaries.WorkerDll);
}

/// <summary>
/// What `up` records about a local cluster, so that the other verbs (and `down`) find it: its silos (one embedded
/// silo, or several sharing the PostgreSQL database named in <see cref="PostgresFile"/>), its workers, and the
/// Prometheus server scraping them when `up --prometheus` started one.
/// </summary>
internal sealed record ClusterInfo(string TokenFile, SiloInfo[] Silos, WorkerInfo[] Workers, string? PostgresFile)
{
    /// <summary>What each worker may use (data roots, memory); missing in files written before it was kept.</summary>
    public WorkerResources? Resources { get; init; }

    public int? PrometheusPid { get; init; }
    public long? PrometheusStartTime { get; init; }
    public string? PrometheusUrl { get; init; }

    [JsonIgnore]
    public ClusterProcess? Prometheus => PrometheusPid is { } pid ? new(pid, PrometheusStartTime, Path.GetFileName(LocalPrometheus.DefaultBinary)) : null;

    /// <summary>Every process Prometheus should scrape.</summary>
    [JsonIgnore]
    public IEnumerable<ScrapeTarget> ScrapeTargets =>
        Silos.Select((s, i) => new ScrapeTarget(ScrapeJob.Silo, $"silo-{i + 1}", "127.0.0.1", s.MetricsPort))
            .Concat(Workers.Select(w => new ScrapeTarget(ScrapeJob.Worker, w.Name, "127.0.0.1", w.MetricsPort)));

    /// <summary>The silo the CLI talks to: the first one still running (any silo serves the whole cluster).</summary>
    [JsonIgnore]
    public SiloInfo ApiSilo => Silos.FirstOrDefault(s => s.Process.Running) ?? Silos[0];
}

/// <summary>
/// One directory per local cluster: <c>cluster.json</c>, the silo's state (<c>state/</c>, with the API token),
/// the checkpoint store (<c>store/</c>) and every process's log (<c>logs/</c>). The default is <c>.gancluster</c>
/// in the current directory, or <c>$GANCLUSTER_CLUSTER</c>.
/// </summary>
internal sealed class ClusterDirectory(string root)
{
    public static ClusterDirectory Default(string? given) =>
        new(Path.GetFullPath(given ?? Environment.GetEnvironmentVariable("GANCLUSTER_CLUSTER") ?? ".gancluster"));

    public string Root { get; } = root;
    public string InfoFile => Path.Combine(Root, "cluster.json");

    /// <summary>Held by `up` and `down` while they work (<see cref="ClusterLock"/>).</summary>
    public string LockFile => Path.Combine(Root, "cluster.lock");

    public string State => Path.Combine(Root, "state");
    public string Store => Path.Combine(Root, "store");
    public string Logs => Path.Combine(Root, "logs");
    public string TokenFile => Path.Combine(State, "api-token");
    public string Tls => Path.Combine(State, "tls");
    public string Credentials => Path.Combine(State, "workers");
    public string Prometheus => Path.Combine(Root, "prometheus");

    /// <summary>Prometheus' file-based service discovery: every silo and worker endpoint, rewritten as they come and go.</summary>
    public string ScrapeTargetsFile => Path.Combine(Prometheus, "targets.json");

    public ClusterInfo? Read() => File.Exists(InfoFile) ? JsonSerializer.Deserialize<ClusterInfo>(File.ReadAllText(InfoFile)) : null;

    public ClusterInfo Require() => Read() ?? throw new UsageException($"no local cluster in {Root}: start one with `gancluster up` (or pass --cluster DIR)");

    public void Write(ClusterInfo info)
    {
        Directory.CreateDirectory(Root);
        File.WriteAllText(InfoFile, JsonSerializer.Serialize(info, new JsonSerializerOptions { WriteIndented = true }));
    }
}
