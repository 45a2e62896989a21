namespace GanCluster.Worker;

/// <summary>The worker's command-line switches and the settings they set (every setting also takes <c>--Section:Key</c> and <c>GANCLUSTER_SECTION__KEY</c>).</summary>
public static class WorkerSwitches
{
    public static readonly IReadOnlyDictionary<string, string> Mappings = new Dictionary<string, string>
    {
        ["--mode"] = "Worker:Mode",
        ["--id"] = "Worker:Id",
        ["--store"] = "Worker:Store",
        ["--gateway-port"] = "Worker:GatewayPort",
        ["--postgres-file"] = "Worker:PostgresFile",
        ["--cluster-id"] = "Worker:ClusterId",
        ["--host"] = "Worker:Host",
        ["--ring-port"] = "Worker:RingPort",
        ["--threads"] = "Worker:Threads",
        ["--data-root"] = "Worker:DataRoots:*",
        ["--memory-limit-mb"] = "Worker:MemoryLimitMegabytes",
        ["--series-linger"] = "Worker:SeriesLingerSeconds",
        ["--credential-file"] = "Worker:CredentialFile",
        ["--tls-certificate"] = "Worker:TlsCertificateFile",
        ["--tls-authority"] = "Worker:TlsAuthorityFile",
        ["--metrics-port"] = "Hosting:MetricsPort",
        ["--metrics-host"] = "Hosting:Host",
        ["--spec"] = "StaticRing:Spec",
        ["--out"] = "StaticRing:Out",
        ["--resume"] = "StaticRing:Resume",
    };
}
