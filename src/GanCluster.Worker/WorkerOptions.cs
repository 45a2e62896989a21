using System.Globalization;

namespace GanCluster.Worker;

/// <summary>The worker's command line.</summary>
public sealed record WorkerOptions(string Id, int GatewayPort, string Store, string Host, int RingPort, int Threads)
{
    public const string Usage = "usage: GanCluster.Worker --id NAME --store DIR [--gateway-port 30000] [--host 127.0.0.1] [--ring-port P] [--threads N]";

    public static WorkerOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new ArgumentException($"unexpected argument '{args[i]}'\n{Usage}");
            values[args[i]] = args[++i];
        }
        string Require(string name) => values.TryGetValue(name, out var v) ? v : throw new ArgumentException($"{name} is required\n{Usage}");
        int Int(string name, int fallback) => values.TryGetValue(name, out var v)
            ? int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new ArgumentException($"{name} must be a number, found '{v}'")
            : fallback;
        var ringPort = Int("--ring-port", 0);
        if (ringPort == 0)
            ringPort = GanCluster.Distributed.Launch.FreePorts.Take(1)[0];
        return new WorkerOptions(Require("--id"), Int("--gateway-port", 30000), Path.GetFullPath(Require("--store")),
            values.GetValueOrDefault("--host", "127.0.0.1"), ringPort, Int("--threads", 1));
    }
}
