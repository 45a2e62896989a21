using System.Globalization;
using GanCluster.Contracts.Hosting;

namespace GanCluster.Silo;

/// <summary>
/// The silo's command line: where its state lives and which ports it uses. Without <c>--postgres-file</c> the silo
/// is the embedded one (localhost clustering, grain state in <c>STATE/state.db</c>); with it, one of several silos
/// sharing a PostgreSQL database.
/// </summary>
public sealed record SiloOptions(string StateDirectory, string Host, int ApiPort, int SiloPort, int GatewayPort, string TokenFile, PostgresStore? Postgres)
{
    public const string Usage = "usage: GanCluster.Silo --state-dir DIR [--host 127.0.0.1] [--api-port 50051] [--silo-port 11111] [--gateway-port 30000] [--token-file DIR/api-token] [--postgres-file FILE [--cluster-id gancluster]]";

    public string DatabasePath => Path.Combine(StateDirectory, "state.db");

    public string DescribeStore() => Postgres?.Describe() ?? $"state {DatabasePath}";

    public static SiloOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new ArgumentException($"unexpected argument '{args[i]}'\n{Usage}");
            values[args[i]] = args[++i];
        }
        var known = new[] { "--state-dir", "--host", "--api-port", "--silo-port", "--gateway-port", "--token-file", "--postgres-file", "--cluster-id" };
        if (values.Keys.FirstOrDefault(k => !known.Contains(k)) is { } unknown)
            throw new ArgumentException($"unknown option '{unknown}'\n{Usage}");
        if (!values.TryGetValue("--state-dir", out var state))
            throw new ArgumentException($"--state-dir is required\n{Usage}");
        if (values.ContainsKey("--cluster-id") && !values.ContainsKey("--postgres-file"))
            throw new ArgumentException("--cluster-id needs --postgres-file (the embedded silo is a cluster of one)");
        int Port(string name, int fallback) => values.TryGetValue(name, out var v)
            ? int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is > 0 and < 65536 ? p : throw new ArgumentException($"{name} must be a port number, found '{v}'")
            : fallback;
        var full = Path.GetFullPath(state);
        var postgres = values.TryGetValue("--postgres-file", out var file)
            ? PostgresStore.FromFile(file, values.GetValueOrDefault("--cluster-id", PostgresStore.DefaultClusterId))
            : null;
        return new SiloOptions(full, values.GetValueOrDefault("--host", "127.0.0.1"), Port("--api-port", 50051), Port("--silo-port", 11111),
            Port("--gateway-port", 30000), values.GetValueOrDefault("--token-file", Path.Combine(full, "api-token")), postgres);
    }
}
