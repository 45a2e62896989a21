using System.CommandLine;
using System.Diagnostics;
using GanCluster.Cli.Cluster;
using GanCluster.Contracts.Control;
using GanCluster.Collective;
using GanCluster.Rank.Launch;
using Spectre.Console;

namespace GanCluster.Cli.Commands;

/// <summary><c>gancluster up [--workers K]</c> and <c>down</c>: a local cluster of one silo and K workers, all under one directory.</summary>
internal static class ClusterCommands
{
    public static Command CreateUp(IAnsiConsole console)
    {
        var workers = new Option<int>("--workers") { Description = "worker processes to start", DefaultValueFactory = _ => 2 };
        var threads = new Option<int?>("--threads") { Description = "torch threads per worker (default: the cores split between the workers)" };
        var silos = new Option<int>("--silos") { Description = "silo processes to start (more than one needs --postgres-file)", DefaultValueFactory = _ => 1 };
        var postgres = new Option<string?>("--postgres-file")
        {
            Description = "a file holding an Npgsql connection string: keep membership, grain state and reminders in that PostgreSQL database instead of the embedded SQLite file",
        };
        var dir = RunCommands.ClusterOption();
        var command = new Command("up", "Start a local cluster: an embedded silo with SQLite state (or silos sharing PostgreSQL), and workers.")
        {
            workers, threads, silos, postgres, dir,
        };
        command.SetAction(parsed => UserErrors.Run(console, () =>
        {
            var k = parsed.GetValue(workers);
            if (k is < 0 or > 64)
                throw new UsageException($"--workers must be 0..64, found {k}");
            var siloCount = parsed.GetValue(silos);
            if (siloCount is < 1 or > 8)
                throw new UsageException($"--silos must be 1..8, found {siloCount}");
            var postgresFile = parsed.GetValue(postgres) is { } given ? Path.GetFullPath(given) : null;
            if (siloCount > 1 && postgresFile is null)
                throw new UsageException("--silos above 1 needs --postgres-file: the embedded SQLite state belongs to one silo");
            if (postgresFile is not null && !File.Exists(postgresFile))
                throw new UsageException($"--postgres-file {postgresFile}: no such file");
            var cluster = ClusterDirectory.Default(parsed.GetValue(dir));
            var (siloDll, workerDll) = ClusterBinaries.Locate();
            if (cluster.Read() is { } existing)
            {
                var dead = existing.Silos.Select((silo, i) => (silo, i)).Where(s => !ProcessIds.Alive(s.silo.Pid)).ToList();
                if (dead.Count == 0)
                    throw new UsageException($"a cluster is already running from {cluster.Root} (silo pid(s) {string.Join(", ", existing.Silos.Select(s => s.Pid))}); `gancluster down` stops it");
                // Silos died (or were killed): start them again on the same ports and state; the workers reconnect.
                var restarted = existing.Silos.ToArray();
                foreach (var (silo, i) in dead)
                    restarted[i] = StartSilo(siloDll, cluster, i + 1, silo.ApiPort, silo.SiloPort, silo.GatewayPort, existing.PostgresFile);
                cluster.Write(existing with { Silos = restarted });
                console.MarkupLineInterpolated($"silo restarted ({string.Join(", ", dead.Select(d => $"silo-{d.i + 1} pid {restarted[d.i].Pid}"))}) on its state; {existing.WorkerPids.Count(ProcessIds.Alive)} of {existing.WorkerPids.Length} worker(s) still running reconnect to it");
                return ExitCodes.Success;
            }
            Directory.CreateDirectory(cluster.Logs);
            var started = new List<SiloInfo>();
            for (var i = 1; i <= siloCount; i++)
            {
                var ports = FreePorts.Take(3);
                started.Add(StartSilo(siloDll, cluster, i, ports[0], ports[1], ports[2], postgresFile));
            }
            var perWorker = parsed.GetValue(threads) ?? Math.Max(1, Environment.ProcessorCount / Math.Max(1, k));
            string[] findSilos = postgresFile is null ? ["--gateway-port", $"{started[0].GatewayPort}"] : ["--postgres-file", postgresFile];
            var workerPids = Enumerable.Range(1, k).Select(i => StartDetached(workerDll,
                ["--id", $"worker-{i}", "--store", cluster.Store, .. findSilos, "--threads", $"{perWorker}"], Path.Combine(cluster.Logs, $"worker-{i}.log"))).ToArray();
            var info = new ClusterInfo(cluster.TokenFile, [.. started], workerPids, postgresFile);
            cluster.Write(info);
            using (var api = ControlPlaneConnection.Open(cluster.Root))
                WaitFor(() => api.Client.ListWorkers(new ListWorkersRequest()).Workers.Count >= k, TimeSpan.FromSeconds(90), started[0].Pid, $"{k} workers to register");
            var store = postgresFile is null ? $"SQLite state in {cluster.State}" : $"PostgreSQL from {postgresFile}";
            console.MarkupLineInterpolated($"cluster up in {cluster.Root}: {siloCount} silo(s) (API {info.ApiSilo.ApiUrl}, {store}), {k} worker(s) × {perWorker} thread(s); logs in {cluster.Logs}");
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
            // Workers first (they checkpoint and report), then the silos.
            Stop(info.WorkerPids);
            Stop(info.Silos.Select(s => s.Pid));
            File.Delete(cluster.InfoFile);
            console.MarkupLineInterpolated($"cluster in {cluster.Root} stopped; state and logs kept");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static SiloInfo StartSilo(string siloDll, ClusterDirectory cluster, int index, int apiPort, int siloPort, int gatewayPort, string? postgresFile)
    {
        var log = Path.Combine(cluster.Logs, $"silo-{index}.log");
        var before = File.Exists(log) ? File.ReadAllText(log).Split("silo ready").Length : 1;
        string[] store = postgresFile is null ? [] : ["--postgres-file", postgresFile];
        var pid = StartDetached(siloDll, ["--state-dir", cluster.State, "--token-file", cluster.TokenFile, "--api-port", $"{apiPort}",
            "--silo-port", $"{siloPort}", "--gateway-port", $"{gatewayPort}", .. store], log);
        WaitFor(() => File.ReadAllText(log).Split("silo ready").Length > before, TimeSpan.FromSeconds(90), pid, $"silo-{index} (log {log})");
        return new SiloInfo(pid, apiPort, siloPort, gatewayPort);
    }

    /// <summary>Starts <c>dotnet DLL ARGS</c> in its own session, writing to LOG, so it outlives this command and ignores the terminal's Ctrl+C.</summary>
    private static int StartDetached(string dll, string[] args, string log)
    {
        var info = new ProcessStartInfo("setsid") { UseShellExecute = false };
        foreach (var a in new[] { "sh", "-c", "exec \"$0\" \"$@\" >>\"$GANCLUSTER_LOG\" 2>&1", DotnetHost.Path, dll })
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
            if (!ProcessIds.Alive(siloPid))
                throw new UsageException($"the silo exited while waiting for {what}; see its log in the cluster's logs/");
            if (clock.Elapsed > timeout)
                throw new UsageException($"timed out after {timeout.TotalSeconds:0} s waiting for {what}; see the logs");
            Thread.Sleep(100);
        }
    }

    private static void Stop(IEnumerable<int> pids)
    {
        var running = pids.Where(ProcessIds.Alive).ToList();
        foreach (var pid in running)
            Process.Start("kill", ["-TERM", $"{pid}"])?.WaitForExit();
        var clock = Stopwatch.StartNew();
        while (running.Any(ProcessIds.Alive) && clock.Elapsed < TimeSpan.FromSeconds(15))
            Thread.Sleep(100);
        foreach (var pid in running.Where(ProcessIds.Alive))
            Process.Start("kill", ["-KILL", $"{pid}"])?.WaitForExit();
    }
}
