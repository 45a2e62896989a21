using System.Globalization;
using GanCluster.Contracts.Hosting;

namespace GanCluster.Worker;

/// <summary>
/// The worker's command line. It finds the silos through the embedded silo's gateway port on loopback, or, with
/// <c>--postgres-file</c>, through the membership table that several silos share (and fails over between them).
/// </summary>
public sealed record WorkerOptions(string Id, int GatewayPort, string Store, string Host, int RingPort, int Threads, PostgresStore? Postgres)
{
    public const string Usage = "usage: GanCluster.Worker --id NAME --store DIR [--gateway-port 30000 | --postgres-file FILE [--cluster-id gancluster]] [--host 127.0.0.1] [--ring-port P] [--threads N]";

    public string DescribeSilos() => Postgres?.Describe() ?? $"gateway {GatewayPort}";

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
        if (values.ContainsKey("--postgres-file") && values.ContainsKey("--gateway-port"))
            throw new ArgumentException("give --gateway-port (embedded silo) or --postgres-file (shared silos), not both");
        var postgres = values.TryGetValue("--postgres-file", out var file)
            ? PostgresStore.FromFile(file, values.GetValueOrDefault("--cluster-id", PostgresStore.DefaultClusterId))
            : null;
        return new WorkerOptions(Require("--id"), Int("--gateway-port", 30000), Path.GetFullPath(Require("--store")),
            values.GetValueOrDefault("--host", "127.0.0.1"), ringPort, Int("--threads", 1), postgres);
    }
}
