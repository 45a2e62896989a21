using System.CommandLine;
using System.Diagnostics;
using GanCluster.Cli.Cluster;
using GanCluster.Contracts.Control;
using GanCluster.Distributed.Launch;
using Spectre.Console;

namespace GanCluster.Cli.Commands;

/// <summary><c>gancluster up [--workers K]</c> and <c>down</c>: a local cluster of one silo and K workers, all under one directory.</summary>
internal static class ClusterCommands
{
    public static Command CreateUp(IAnsiConsole console)
    {
        var workers = new Option<int>("--workers") { Description = "worker processes to start", DefaultValueFactory = _ => 2 };
        var threads = new Option<int?>("--threads") { Description = "torch threads per worker (default: the cores split between the workers)" };
        var dir = RunCommands.ClusterOption();
        var command = new Command("up", "Start a local cluster: an embedded silo with SQLite state, and workers.") { workers, threads, dir };
        command.SetAction(parsed => UserErrors.Run(console, () =>
        {
            var k = parsed.GetValue(workers);
            if (k is < 0 or > 64)
                throw new UsageException($"--workers must be 0..64, found {k}");
            var cluster = ClusterDirectory.Default(parsed.GetValue(dir));
            var (siloDll, workerDll) = ClusterBinaries.Locate();
            if (cluster.Read() is { } existing)
            {
                if (Alive(existing.SiloPid))
                    throw new UsageException($"a cluster is already running from {cluster.Root} (silo pid {existing.SiloPid}); `gancluster down` stops it");
                // The silo died (or was killed): start it again on the same ports and state; the workers reconnect.
                var again = StartSilo(siloDll, cluster, existing.ApiPort, existing.SiloPort, existing.GatewayPort);
                cluster.Write(existing with { SiloPid = again });
                console.MarkupLineInterpolated($"silo restarted (pid {again}) on its state in {cluster.State}; {existing.WorkerPids.Count(Alive)} of {existing.WorkerPids.Length} worker(s) still running reconnect to it");
                return ExitCodes.Success;
            }
            Directory.CreateDirectory(cluster.Logs);
            var ports = FreePorts.Take(3);
            var silo = StartSilo(siloDll, cluster, ports[0], ports[1], ports[2]);
            var perWorker = parsed.GetValue(threads) ?? Math.Max(1, Environment.ProcessorCount / Math.Max(1, k));
            var workerPids = Enumerable.Range(1, k).Select(i => StartDetached(workerDll,
                ["--id", $"worker-{i}", "--store", cluster.Store, "--gateway-port", $"{ports[2]}", "--threads", $"{perWorker}"], Path.Combine(cluster.Logs, $"worker-{i}.log"))).ToArray();
            var info = new ClusterInfo($"http://127.0.0.1:{ports[0]}", Path.Combine(cluster.State, "api-token"), silo, workerPids, ports[2], ports[1], ports[0]);
            cluster.Write(info);
            using (var api = ControlPlaneConnection.Open(cluster.Root))
                WaitFor(() => api.Client.ListWorkers(new ListWorkersRequest()).Workers.Count >= k, TimeSpan.FromSeconds(90), silo, $"{k} workers to register");
            console.MarkupLineInterpolated($"cluster up in {cluster.Root}: silo pid {silo} (API {info.ApiUrl}), {k} worker(s) × {perWorker} thread(s); logs in {cluster.Logs}");
            return ExitCodes.Success;
        }));
        return command;
    }

    public static Command CreateDown(IAnsiConsole console)
    {
        var dir = RunCommands.ClusterOption();
        var command = new Command("down", "Stop the local cluster (its state, store and logs stay).") { dir };
        command.SetAction(parsed => UserErrors.Run(console, () =>
        {
            var cluster = ClusterDirectory.Default(parsed.GetValue(dir));
            var info = cluster.Require();
            // Workers first (they checkpoint and report), then the silo.
            Stop(info.WorkerPids);
            Stop([info.SiloPid]);
            File.Delete(cluster.InfoFile);
            console.MarkupLineInterpolated($"cluster in {cluster.Root} stopped; state and logs kept");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static int StartSilo(string siloDll, ClusterDirectory cluster, int apiPort, int siloPort, int gatewayPort)
    {
        var log = Path.Combine(cluster.Logs, "silo.log");
        var before = File.Exists(log) ? File.ReadAllText(log).Split("silo ready").Length : 1;
        var silo = StartDetached(siloDll, ["--state-dir", cluster.State, "--api-port", $"{apiPort}", "--silo-port", $"{siloPort}", "--gateway-port", $"{gatewayPort}"], log);
        WaitFor(() => File.ReadAllText(log).Split("silo ready").Length > before, TimeSpan.FromSeconds(90), silo, "the silo");
        return silo;
    }

    /// <summary>Starts <c>dotnet DLL ARGS</c> in its own session, writing to LOG, so it outlives this command and ignores the terminal's Ctrl+C.</summary>
    private static int StartDetached(string dll, string[] args, string log)
    {
        var info = new ProcessStartInfo("setsid") { UseShellExecute = false };
        foreach (var a in new[] { "sh", "-c", "exec \"$0\" \"$@\" >>\"$GANCLUSTER_LOG\" 2>&1", Environment.ProcessPath!.EndsWith("dotnet", StringComparison.Ordinal) ? Environment.ProcessPath : "dotnet", dll })
            info.ArgumentList.Add(a);
        foreach (var a in args)
            info.ArgumentList.Add(a);
        info.Environment["GANCLUSTER_LOG"] = log;
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {dll}");
        return process.Id;
    }

    private static void WaitFor(Func<bool> condition, TimeSpan timeout, int siloPid, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (condition())
                    return;
            }
            catch (Exception e) when (e is IOException or Grpc.Core.RpcException)
            {
            }
            if (!Alive(siloPid))
                throw new UsageException($"the silo exited while waiting for {what}; see its log");
            if (clock.Elapsed > timeout)
                throw new UsageException($"timed out after {timeout.TotalSeconds:0} s waiting for {what}; see the logs");
            Thread.Sleep(100);
        }
    }

    private static void Stop(IEnumerable<int> pids)
    {
        var running = pids.Where(Alive).ToList();
        foreach (var pid in running)
            Process.Start("kill", ["-TERM", $"{pid}"])?.WaitForExit();
        var clock = Stopwatch.StartNew();
        while (running.Any(Alive) && clock.Elapsed < TimeSpan.FromSeconds(15))
            Thread.Sleep(100);
        foreach (var pid in running.Where(Alive))
            Process.Start("kill", ["-KILL", $"{pid}"])?.WaitForExit();
    }

    private static bool Alive(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2] != "Z";
        }
        catch (IOException)
        {
            return false; // gone (also between checking and reading)
        }
    }
}
