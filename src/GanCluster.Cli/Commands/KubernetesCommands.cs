using System.CommandLine;
using GanCluster.Cli.Kubernetes;
using Spectre.Console;

namespace GanCluster.Cli.Commands;

/// <summary><c>gancluster k8s secrets</c>: the Secrets that deploy/k8s mounts, for one cluster.</summary>
internal static class KubernetesCommands
{
    public static Command Create(IAnsiConsole console)
    {
        var output = new Option<string>("--out") { Description = "folder that keeps the cluster key, the API token, the TLS authority and secrets.yaml (mode 700)", Required = true };
        var workers = new Option<int>("--workers") { Description = "worker pods to issue credentials for (gancluster-worker-0 … N-1): at least the ScaledObject's maxReplicaCount", DefaultValueFactory = _ => 16 };
        var ns = new Option<string>("--namespace") { Description = "the namespace the manifests deploy to", DefaultValueFactory = _ => "gancluster" };
        var postgres = new Option<string?>("--postgres-file") { Description = "file with the Npgsql connection string of the external PostgreSQL (cpu and gpu overlays)" };
        var inCluster = new Option<bool>("--in-cluster-postgres") { Description = "use the postgres overlay's in-cluster database instead (a generated password)" };
        var validity = new Option<int>("--validity-days") { Description = "lifetime of the silo and worker certificates", DefaultValueFactory = _ => 365 };
        var secrets = new Command("secrets", "Write the Secrets deploy/k8s mounts: API token, cluster key, per-worker credentials, TLS material, PostgreSQL.")
        {
            output, workers, ns, postgres, inCluster, validity,
        };
        secrets.SetAction(parsed => UserErrors.Run(console, () =>
        {
            var count = parsed.GetValue(workers);
            if (count is < 1 or > 4096)
                throw new UsageException($"--workers must be between 1 and 4096, found {count}");
            if (parsed.GetValue(validity) < 1)
                throw new UsageException($"--validity-days must be at least 1, found {parsed.GetValue(validity)}");
            var file = parsed.GetValue(postgres);
            if ((file is null) == !parsed.GetValue(inCluster))
                throw new UsageException("give either --postgres-file FILE (an external PostgreSQL) or --in-cluster-postgres (the postgres overlay)");
            var folder = new ClusterSecrets(parsed.GetValue(output)!);
            string connection;
            string? password = null;
            if (file is not null)
            {
                if (!File.Exists(file))
                    throw new UsageException($"{Path.GetFullPath(file)}: no such file (it should hold an Npgsql connection string: Host=...;Port=5432;Database=gancluster;Username=...;Password=...)");
                connection = File.ReadAllText(file).Trim();
                if (!connection.Contains("Host=", StringComparison.OrdinalIgnoreCase))
                    throw new UsageException($"{Path.GetFullPath(file)} should hold an Npgsql connection string with at least Host=...");
            }
            else
            {
                password = folder.InClusterPostgresPassword();
                connection = $"Host=gancluster-postgres;Port=5432;Database=gancluster;Username=gancluster;Password={password}";
            }
            var names = folder.Write(parsed.GetValue(ns)!, count, connection, password, TimeSpan.FromDays(parsed.GetValue(validity)));
            console.MarkupLineInterpolated($"wrote {names.Count} Secrets ({string.Join(", ", names)}) to [bold]{folder.SecretsFile}[/]");
            console.MarkupLineInterpolated($"apply them: kubectl apply -f {folder.SecretsFile}");
            console.MarkupLineInterpolated($"the CLI's token for --token-file: {folder.TokenFile}");
            return ExitCodes.Success;
        }));
        return new Command("k8s", "Prepare a GanCluster on Kubernetes (deploy/k8s).") { secrets };
    }
}
