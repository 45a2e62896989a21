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
        var values = HostArguments.Parse(args, Usage, "--id", "--store", "--gateway-port", "--postgres-file", "--cluster-id", "--host", "--ring-port", "--threads");
        if (values.Has("--postgres-file") && values.Has("--gateway-port"))
            throw new ArgumentException("give --gateway-port (embedded silo) or --postgres-file (shared silos), not both");
        var ringPort = values.Int("--ring-port", 0);
        if (ringPort == 0)
            ringPort = GanCluster.Collective.FreePorts.Take(1)[0];
        return new WorkerOptions(values.Require("--id"), values.Port("--gateway-port", 30000), Path.GetFullPath(values.Require("--store")),
            values.Get("--host", "127.0.0.1"), ringPort, values.Int("--threads", 1), values.Postgres());
    }
}
