using System.Security.Cryptography;
using System.Text;
using GanCluster.Contracts.Security;

namespace GanCluster.Cli.Kubernetes;

/// <summary>
/// The Secrets a GanCluster on Kubernetes mounts (deploy/k8s), made from one local folder that keeps what they
/// derive from: the cluster key, the API token and the TLS authority. Made again from the same folder (for more
/// workers, or renewed certificates) they keep the key, the token and the authority, so running pods go on
/// trusting each other. Workers never receive the cluster key: each gets only its own credential, a file named
/// after its pod (gancluster-worker-N), derived from the key as a local cluster derives it.
/// </summary>
internal sealed class ClusterSecrets(string folder)
{
    public const string WorkerPrefix = "gancluster-worker-";

    public string Folder { get; } = Path.GetFullPath(folder);

    public string TokenFile => Path.Combine(Folder, "api-token");

    public string SecretsFile => Path.Combine(Folder, "secrets.yaml");

    private string KeyFile => Path.Combine(Folder, "cluster-key");

    private string Authority => Path.Combine(Folder, "tls");

    /// <summary>Writes <see cref="SecretsFile"/> (mode 600) for <paramref name="workers"/> worker pods; returns the Secrets' names.</summary>
    public IReadOnlyList<string> Write(string kubernetesNamespace, int workers, string postgresConnection, string? postgresPassword, TimeSpan validity)
    {
        PrivateFiles.EnsureFolder(Folder);
        var key = ClusterKey.LoadOrCreate(KeyFile);
        if (!File.Exists(TokenFile))
            PrivateFiles.WriteNew(TokenFile, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));
        ClusterCertificates.EnsureAuthority(Authority, TimeSpan.FromDays(3650));
        var silo = File.ReadAllBytes(ClusterCertificates.Issue(Authority, "silo", silo: true, validity));
        var worker = File.ReadAllBytes(ClusterCertificates.Issue(Authority, "worker", silo: false, validity));
        var ca = File.ReadAllBytes(Path.Combine(Authority, ClusterCertificates.AuthorityFile));
        var postgres = new Dictionary<string, byte[]> { ["connection"] = Encoding.UTF8.GetBytes(postgresConnection) };
        if (postgresPassword is not null)
            postgres["password"] = Encoding.UTF8.GetBytes(postgresPassword);
        var secrets = new (string Name, Dictionary<string, byte[]> Data)[]
        {
            ("gancluster-api-token", new() { ["token"] = Encoding.UTF8.GetBytes(File.ReadAllText(TokenFile).Trim()) }),
            ("gancluster-cluster-key", new() { ["cluster-key"] = Encoding.UTF8.GetBytes(File.ReadAllText(KeyFile).Trim()) }),
            ("gancluster-worker-credentials", Enumerable.Range(0, workers).ToDictionary(i => $"{WorkerPrefix}{i}", i => Encoding.UTF8.GetBytes(key.WorkerCredential($"{WorkerPrefix}{i}")))),
            ("gancluster-tls-silo", new() { ["silo.p12"] = silo, ["ca.crt"] = ca }),
            ("gancluster-tls-worker", new() { ["worker.p12"] = worker, ["ca.crt"] = ca }),
            ("gancluster-postgres", postgres),
        };
        var yaml = new StringBuilder("# GanCluster's Secrets (gancluster k8s secrets): apply with kubectl apply -f; never commit this file.\n");
        foreach (var (name, data) in secrets)
        {
            yaml.Append($"---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n  namespace: {kubernetesNamespace}\n  labels:\n    app.kubernetes.io/part-of: gancluster\ntype: Opaque\ndata:\n");
            foreach (var (entry, value) in data.OrderBy(d => d.Key, StringComparer.Ordinal))
                yaml.Append($"  {entry}: {Convert.ToBase64String(value)}\n");
        }
        if (File.Exists(SecretsFile))
            File.Delete(SecretsFile);
        PrivateFiles.WriteNew(SecretsFile, yaml.ToString());
        return [.. secrets.Select(s => s.Name)];
    }

    /// <summary>A password for the in-cluster PostgreSQL of the postgres overlay, kept in the folder so that it stays the same.</summary>
    public string InClusterPostgresPassword()
    {
        var path = Path.Combine(Folder, "postgres-password");
        PrivateFiles.EnsureFolder(Folder);
        if (!File.Exists(path))
            PrivateFiles.WriteNew(path, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)));
        return File.ReadAllText(path).Trim();
    }
}
