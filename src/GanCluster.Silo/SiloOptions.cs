using System.Globalization;

namespace GanCluster.Silo;

/// <summary>The silo's command line: where its state lives and which loopback ports it uses.</summary>
public sealed record SiloOptions(string StateDirectory, string Host, int ApiPort, int SiloPort, int GatewayPort, string TokenFile)
{
    public const string Usage = "usage: GanCluster.Silo --state-dir DIR [--host 127.0.0.1] [--api-port 50051] [--silo-port 11111] [--gateway-port 30000] [--token-file DIR/api-token]";

    public string DatabasePath => Path.Combine(StateDirectory, "state.db");

    public static SiloOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new ArgumentException($"unexpected argument '{args[i]}'\n{Usage}");
            values[args[i]] = args[++i];
        }
        var known = new[] { "--state-dir", "--host", "--api-port", "--silo-port", "--gateway-port", "--token-file" };
        if (values.Keys.FirstOrDefault(k => !known.Contains(k)) is { } unknown)
            throw new ArgumentException($"unknown option '{unknown}'\n{Usage}");
        if (!values.TryGetValue("--state-dir", out var state))
            throw new ArgumentException($"--state-dir is required\n{Usage}");
        int Port(string name, int fallback) => values.TryGetValue(name, out var v)
            ? int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is > 0 and < 65536 ? p : throw new ArgumentException($"{name} must be a port number, found '{v}'")
            : fallback;
        var full = Path.GetFullPath(state);
        return new SiloOptions(full, values.GetValueOrDefault("--host", "127.0.0.1"), Port("--api-port", 50051), Port("--silo-port", 11111),
            Port("--gateway-port", 30000), values.GetValueOrDefault("--token-file", Path.Combine(full, "api-token")));
    }
}
