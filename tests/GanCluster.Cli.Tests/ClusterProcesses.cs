using System.Diagnostics;
using System.Text.Json;

namespace GanCluster.Cli.Tests;

/// <summary>The processes of a local cluster as `gancluster up` records them in <c>cluster.json</c>, for tests that kill them.</summary>
internal sealed record ClusterProcesses(IReadOnlyList<ClusterProcesses.Silo> Silos, IReadOnlyList<int> WorkerPids, IReadOnlyDictionary<string, int> WorkerMetricsPorts)
{
    public sealed record Silo(int Pid, int SiloPort);

    public static ClusterProcesses Read(string clusterDirectory)
    {
        using var info = JsonDocument.Parse(File.ReadAllText(Path.Combine(clusterDirectory, "cluster.json")));
        var root = info.RootElement;
        return new ClusterProcesses(
            [.. root.GetProperty("Silos").EnumerateArray().Select(s => new Silo(s.GetProperty("Pid").GetInt32(), s.GetProperty("SiloPort").GetInt32()))],
            [.. root.GetProperty("Workers").EnumerateArray().Select(w => w.GetProperty("Pid").GetInt32())],
            root.GetProperty("Workers").EnumerateArray().ToDictionary(w => w.GetProperty("Name").GetString()!, w => w.GetProperty("MetricsPort").GetInt32()));
    }

    /// <summary>SIGKILLs silo <paramref name="index"/> (0-based, in `up`'s order).</summary>
    public void KillSilo(int index) => Kill(Silos[index]);

    public static void Kill(Silo silo) => Process.GetProcessById(silo.Pid).Kill();

    /// <summary>SIGKILLs the worker named <c>worker-K</c> by `up`.</summary>
    public void KillWorker(string workerId) => Process.GetProcessById(WorkerPids[int.Parse(workerId["worker-".Length..]) - 1]).Kill();

    /// <summary>The metrics port (health, metrics, drain) of the worker named <c>worker-K</c>.</summary>
    public int WorkerMetricsPort(string workerId) => WorkerMetricsPorts[workerId];

    /// <summary>SIGTERM, as Kubernetes stops a pod: the worker shuts down in good order. Returns once it has exited.</summary>
    public void TerminateWorker(string workerId)
    {
        using var worker = Process.GetProcessById(WorkerPids[int.Parse(workerId["worker-".Length..]) - 1]);
        using (var kill = Process.Start("kill", ["-TERM", $"{worker.Id}"])!)
            kill.WaitForExit();
        if (!worker.WaitForExit(TimeSpan.FromMinutes(1)))
            throw new TimeoutException($"{workerId} (pid {worker.Id}) did not exit within a minute of SIGTERM");
    }
}
