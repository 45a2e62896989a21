using System.CommandLine;

namespace GanCluster.Cli.Cluster;

/// <summary>
/// Which cluster a verb talks to: a local cluster's folder (<c>--cluster</c>, default <c>.gancluster</c>), or a
/// remote cluster's API (<c>--api URL</c> with <c>--token-file FILE</c>, or <c>$GANCLUSTER_API</c> and
/// <c>$GANCLUSTER_TOKEN_FILE</c>), such as one on Kubernetes reached through <c>kubectl port-forward</c>.
/// </summary>
internal sealed class ClusterTarget
{
    public const string ApiVariable = "GANCLUSTER_API";
    public const string TokenFileVariable = "GANCLUSTER_TOKEN_FILE";

    public Option<string?> Cluster { get; } = LocalOption();

    /// <summary>A local cluster's folder, for the verbs that work on a local cluster only (up, down, demo, samples, sweep best).</summary>
    public static Option<string?> LocalOption() => new("--cluster") { Description = "local cluster directory (default: .gancluster or $GANCLUSTER_CLUSTER)" };

    public Option<string?> Api { get; } = new("--api") { Description = $"a remote cluster's API, e.g. http://127.0.0.1:50051 through kubectl port-forward (default: ${ApiVariable})" };

    public Option<string?> TokenFile { get; } = new("--token-file") { Description = $"the remote cluster's API token file, e.g. from gancluster k8s secrets (default: ${TokenFileVariable})" };

    /// <summary>The three options, for a command's initializer.</summary>
    public Option[] Options => [Cluster, Api, TokenFile];

    public ControlPlaneConnection Open(ParseResult parsed)
    {
        var api = parsed.GetValue(Api) ?? (Environment.GetEnvironmentVariable(ApiVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null);
        if (api is null)
            return ControlPlaneConnection.Open(parsed.GetValue(Cluster));
        if (parsed.GetValue(Cluster) is not null)
            throw new UsageException("give either --cluster (a local cluster) or --api (a remote one), not both");
        if (!Uri.TryCreate(api, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            throw new UsageException($"--api must be an http:// or https:// URL such as http://127.0.0.1:50051, found '{api}'");
        var tokenFile = parsed.GetValue(TokenFile) ?? Environment.GetEnvironmentVariable(TokenFileVariable);
        if (tokenFile is null)
            throw new UsageException($"a remote cluster needs its API token: --token-file FILE or ${TokenFileVariable} (gancluster k8s secrets writes it)");
        if (!File.Exists(tokenFile))
            throw new UsageException($"no such token file: {Path.GetFullPath(tokenFile)}");
        var token = File.ReadAllText(tokenFile).Trim();
        if (token.Length == 0)
            throw new UsageException($"the token file {Path.GetFullPath(tokenFile)} is empty");
        return new ControlPlaneConnection(url.ToString().TrimEnd('/'), token);
    }
}
