using GanCluster.Contracts.Security;

namespace GanCluster.Cli.Cluster;

/// <summary>
/// What a local cluster's processes prove themselves with, all in <c>STATE</c> (700, every file 600): the cluster
/// key (from which each worker's credential and each ring secret are derived), and a certificate authority in
/// <c>STATE/tls</c> that issues every silo and worker its certificate, so that the gateway talks mutual TLS only.
/// Made once by the first <c>up</c> and reused by restarts.
/// </summary>
internal sealed class LocalCredentials
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(365);

    private readonly ClusterDirectory _cluster;
    private readonly ClusterKey _key;

    private LocalCredentials(ClusterDirectory cluster, ClusterKey key) => (_cluster, _key) = (cluster, key);

    public static LocalCredentials Ensure(ClusterDirectory cluster)
    {
        PrivateFiles.EnsureFolder(cluster.State);
        var key = ClusterKey.LoadOrCreate(Path.Combine(cluster.State, "cluster-key"));
        ClusterCertificates.EnsureAuthority(cluster.Tls, Lifetime);
        PrivateFiles.EnsureFolder(cluster.Credentials);
        return new LocalCredentials(cluster, key);
    }

    private string Authority => Path.Combine(_cluster.Tls, ClusterCertificates.AuthorityFile);

    /// <summary>The silo's switches: its certificate (issued on first use) and the authority (the key is the state folder's default).</summary>
    public IReadOnlyList<string> SiloArguments(int index) =>
        ["--tls-certificate", Certificate($"silo-{index}", silo: true), "--tls-authority", Authority];

    /// <summary>A worker's settings, as variables: its credential and its certificate, issued on first use.</summary>
    public IReadOnlyDictionary<string, string> WorkerSettings(string name)
    {
        var credential = Path.Combine(_cluster.Credentials, $"{name}.credential");
        if (!File.Exists(credential))
            PrivateFiles.WriteNew(credential, _key.WorkerCredential(name));
        return new Dictionary<string, string>
        {
            ["GANCLUSTER_WORKER__CREDENTIALFILE"] = credential,
            ["GANCLUSTER_WORKER__TLSCERTIFICATEFILE"] = Certificate(name, silo: false),
            ["GANCLUSTER_WORKER__TLSAUTHORITYFILE"] = Authority,
        };
    }

    private string Certificate(string name, bool silo)
    {
        var path = ClusterCertificates.CertificateFile(_cluster.Tls, name);
        return File.Exists(path) ? path : ClusterCertificates.Issue(_cluster.Tls, name, silo, Lifetime);
    }
}
