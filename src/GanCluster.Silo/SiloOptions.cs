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
        var values = HostArguments.Parse(args, Usage, "--state-dir", "--host", "--api-port", "--silo-port", "--gateway-port", "--token-file", "--postgres-file", "--cluster-id");
        var state = Path.GetFullPath(values.Require("--state-dir"));
        return new SiloOptions(state, values.Get("--host", "127.0.0.1"), values.Port("--api-port", 50051), values.Port("--silo-port", 11111),
            values.Port("--gateway-port", 30000), values.Get("--token-file", Path.Combine(state, "api-token")), values.Postgres());
    }
}
