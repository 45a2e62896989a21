namespace GanCluster.Silo;

/// <summary>The silo's command-line switches and the settings they set (every setting also takes <c>--Section:Key</c> and <c>GANCLUSTER_SECTION__KEY</c>).</summary>
public static class SiloSwitches
{
    public static readonly IReadOnlyDictionary<string, string> Mappings = new Dictionary<string, string>
    {
        ["--state-dir"] = "Silo:StateDirectory",
        ["--host"] = "Silo:Host",
        ["--api-port"] = "Silo:ApiPort",
        ["--silo-port"] = "Silo:SiloPort",
        ["--gateway-port"] = "Silo:GatewayPort",
        ["--token-file"] = "Silo:TokenFile",
        ["--postgres-file"] = "Silo:PostgresFile",
        ["--cluster-id"] = "Silo:ClusterId",
        ["--cluster-key-file"] = "Silo:ClusterKeyFile",
        ["--tls-certificate"] = "Silo:TlsCertificateFile",
        ["--tls-authority"] = "Silo:TlsAuthorityFile",
        ["--metrics-port"] = "Hosting:MetricsPort",
        ["--metrics-host"] = "Hosting:Host",
    };
}
