using System.CommandLine;
using System.Globalization;
using GanCluster.Cli.Cluster;
using GanCluster.Collective;
using Spectre.Console;

namespace GanCluster.Cli.Commands;

/// <summary><c>gancluster up [--workers K] [--prometheus]</c> and <c>down</c>: a local cluster of silos and workers, all under one directory.</summary>
internal static class ClusterCommands
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);

    public static Command CreateUp(IAnsiConsole console)
    {
        var workers = new Option<int>("--workers") { Description = "worker processes to start", DefaultValueFactory = _ => 2 };
        var threads = new Option<int?>("--threads") { Description = "torch threads per worker (default: the cores split between the workers)" };
        var silos = new Option<int>("--silos") { Description = "silo processes to start (more than one needs --postgres-file)", DefaultValueFactory = _ => 1 };
        var postgres = new Option<string?>("--postgres-file")
        {
            Description = "a file holding an Npgsql connection string: keep membership, grain state and reminders in that PostgreSQL database instead of the embedded SQLite file",
        };
        var prometheus = new Option<bool>("--prometheus") { Description = "also start Debian's prometheus on loopback, scraping every silo and worker (scripts/setup.sh --prometheus installs it)" };
        var scrape = new Option<double>("--scrape-interval") { Description = "seconds between Prometheus scrapes with --prometheus", DefaultValueFactory = _ => 5 };
        var dataRoots = new Option<string[]>("--data-root")
        {
            Description = "a folder runs may read datasets from (repeatable; a relative dataset.path resolves against the first). Default: the current directory and ../shared/data when it exists",
        };
        var dir = RunCommands.ClusterOption();
        var command = new Command("up", "Start a local cluster: an embedded silo with SQLite state (or silos sharing PostgreSQL), and workers.")
        {
            workers, threads, silos, postgres, prometheus, scrape, dataRoots, dir,
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
            var binaries = ClusterBinaries.Locate();
            using var held = ClusterLock.Take(cluster);
            if (cluster.Read() is { } existing)
                return Restart(console, cluster, existing, binaries);
            Directory.CreateDirectory(cluster.Logs);
            var started = new List<SiloInfo>();
            var startedWorkers = new List<WorkerInfo>();
            var perWorker = parsed.GetValue(threads) ?? DefaultThreads(k);
            var scrapeInterval = TimeSpan.FromSeconds(parsed.GetValue(scrape));
            var resources = WorkerResources.For(parsed.GetValue(dataRoots), k) with
            {
                SeriesLingerSeconds = parsed.GetValue(prometheus) ? WorkerResources.LingerFor(scrapeInterval) : null,
            };
            ClusterInfo info;
            try
            {
                for (var i = 1; i <= siloCount; i++)
                {
                    var ports = FreePorts.Take(4);
                    started.Add(StartSilo(binaries.Silo, cluster, i, ports[0], ports[1], ports[2], ports[3], postgresFile));
                }
                for (var i = 1; i <= k; i++)
                    startedWorkers.Add(StartWorker(binaries.Worker, cluster, $"worker-{i}", perWorker, started[0], postgresFile, resources));
                foreach (var worker in startedWorkers)
                    ReadinessProbe.WaitHealthy(worker.Name, worker.Pid, worker.MetricsPort, ReadyTimeout, Path.Combine(cluster.Logs, $"{worker.Name}.log"));
                info = new ClusterInfo(cluster.TokenFile, [.. started], [.. startedWorkers], postgresFile) { Resources = resources };
                PrometheusTargets.Write(cluster.ScrapeTargetsFile, info.ScrapeTargets);
                if (parsed.GetValue(prometheus))
                    info = StartPrometheus(cluster, info, scrapeInterval);
            }
            catch
            {
                // A cluster that did not come up leaves nothing running behind it.
                LocalProcesses.Stop(startedWorkers.Select(w => w.Process));
                LocalProcesses.Stop(started.Select(s => s.Process));
                throw;
            }
            cluster.Write(info);
            var store = postgresFile is null ? $"SQLite state in {cluster.State}" : $"PostgreSQL from {postgresFile}";
            console.MarkupLineInterpolated($"cluster up in {cluster.Root}: {siloCount} silo(s) (API {info.ApiSilo.ApiUrl}, {store}), {k} worker(s) × {perWorker} thread(s); logs in {cluster.Logs}");
            console.MarkupLineInterpolated($"metrics: silo(s) {string.Join(", ", started.Select(s => $"127.0.0.1:{s.MetricsPort}"))}, workers {string.Join(", ", info.Workers.Select(w => $"127.0.0.1:{w.MetricsPort}"))}; Prometheus targets in {cluster.ScrapeTargetsFile}");
            if (info.PrometheusUrl is { } url)
                console.MarkupLineInterpolated($"prometheus: {url} (try gancluster_pending_ranks or gancluster_d_loss)");
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
            cluster.Require();
            using var held = ClusterLock.Take(cluster);
            var info = cluster.Require(); // again: an `up` may have changed it while we waited for the lock
            var reused = info.Silos.Select((s, i) => (Name: $"silo-{i + 1}", s.Process)).Concat(info.Workers.Select(w => (w.Name, w.Process)))
                .Concat(info.Prometheus is { } p ? [("prometheus", p)] : [])
                .Where(n => !n.Process.Running && ProcessIds.Alive(n.Process.Pid)).ToList();
            // Workers first (they checkpoint and report), then the silos, then whoever watched them.
            LocalProcesses.Stop(info.Workers.Select(w => w.Process));
            LocalProcesses.Stop(info.Silos.Select(s => s.Process));
            if (info.Prometheus is { Running: true } prometheus)
                LocalPrometheus.Stop(prometheus.Pid);
            PrometheusTargets.Write(cluster.ScrapeTargetsFile, []);
            File.Delete(cluster.InfoFile);
            foreach (var (name, process) in reused)
                console.MarkupLineInterpolated($"{name}'s pid {process.Pid} now belongs to another process (not {process.Program} as started): left alone");
            console.MarkupLineInterpolated($"cluster in {cluster.Root} stopped; state and logs kept");
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>
    /// Silos or workers died (or were killed): start them again, silos first on the same ports and state, then workers
    /// under the same names, store and threads (on new metrics ports, written to cluster.json and the targets file).
    /// </summary>
    private static int Restart(IAnsiConsole console, ClusterDirectory cluster, ClusterInfo existing, (string Silo, string Worker) binaries)
    {
        var deadSilos = existing.Silos.Select((silo, i) => (silo, i)).Where(s => !s.silo.Process.Running).ToList();
        var deadWorkers = existing.Workers.Select((worker, i) => (worker, i)).Where(w => !w.worker.Process.Running).ToList();
        if (deadSilos.Count == 0 && deadWorkers.Count == 0)
            throw new UsageException($"a cluster is already running from {cluster.Root} (silo pid(s) {string.Join(", ", existing.Silos.Select(s => s.Pid))}); `gancluster down` stops it");
        Directory.CreateDirectory(cluster.Logs);
        var silos = existing.Silos.ToArray();
        foreach (var (silo, i) in deadSilos)
            silos[i] = StartSilo(binaries.Silo, cluster, i + 1, silo.ApiPort, silo.SiloPort, silo.GatewayPort, silo.MetricsPort, existing.PostgresFile);
        var info = existing with { Silos = silos };
        cluster.Write(info);
        PrometheusTargets.Write(cluster.ScrapeTargetsFile, info.ScrapeTargets);
        if (deadSilos.Count > 0)
            console.MarkupLineInterpolated($"silo restarted ({string.Join(", ", deadSilos.Select(d => $"silo-{d.i + 1} pid {silos[d.i].Pid}"))}) on its state; {existing.Workers.Length - deadWorkers.Count} of {existing.Workers.Length} worker(s) still running reconnect to it");
        if (deadWorkers.Count == 0)
            return ExitCodes.Success;

        var workers = existing.Workers.ToArray();
        var started = new List<WorkerInfo>();
        try
        {
            foreach (var (worker, i) in deadWorkers)
            {
                workers[i] = StartWorker(binaries.Worker, cluster, worker.Name, worker.Threads ?? DefaultThreads(existing.Workers.Length), silos[0], existing.PostgresFile,
                    existing.Resources ?? WorkerResources.For(null, existing.Workers.Length));
                started.Add(workers[i]);
            }
            foreach (var worker in started)
                ReadinessProbe.WaitHealthy(worker.Name, worker.Pid, worker.MetricsPort, ReadyTimeout, Path.Combine(cluster.Logs, $"{worker.Name}.log"));
        }
        catch
        {
            LocalProcesses.Stop(started.Select(w => w.Process));
            throw;
        }
        info = info with { Workers = workers };
        cluster.Write(info);
        PrometheusTargets.Write(cluster.ScrapeTargetsFile, info.ScrapeTargets);
        console.MarkupLineInterpolated($"worker restarted ({string.Join(", ", started.Select(w => $"{w.Name} pid {w.Pid}, metrics 127.0.0.1:{w.MetricsPort}"))}) with its name, store and threads; {existing.Workers.Length - deadWorkers.Count} other worker(s) were still running");
        return ExitCodes.Success;
    }

    private static SiloInfo StartSilo(string siloDll, ClusterDirectory cluster, int index, int apiPort, int siloPort, int gatewayPort, int metricsPort, string? postgresFile)
    {
        var log = Path.Combine(cluster.Logs, $"silo-{index}.log");
        string[] store = postgresFile is null ? [] : ["--postgres-file", postgresFile];
        var process = LocalProcesses.StartDotnet(siloDll, ["--state-dir", cluster.State, "--token-file", cluster.TokenFile, "--api-port", Text(apiPort),
            "--silo-port", Text(siloPort), "--gateway-port", Text(gatewayPort), "--metrics-port", Text(metricsPort), .. store,
            .. LocalCredentials.Ensure(cluster).SiloArguments(index)], log);
        try
        {
            ReadinessProbe.WaitHealthy($"silo-{index}", process.Pid, metricsPort, ReadyTimeout, log);
        }
        catch
        {
            LocalProcesses.Stop([process]);
            throw;
        }
        return new SiloInfo(process.Pid, apiPort, siloPort, gatewayPort, metricsPort) { StartTime = process.StartTime };
    }

    /// <summary>A worker configured the way a container would be: through <c>GANCLUSTER_*</c> variables.</summary>
    private static WorkerInfo StartWorker(string workerDll, ClusterDirectory cluster, string name, int threads, SiloInfo silo, string? postgresFile, WorkerResources resources)
    {
        var metricsPort = FreePorts.Take(1)[0];
        var settings = new Dictionary<string, string>
        {
            ["GANCLUSTER_WORKER__ID"] = name,
            ["GANCLUSTER_WORKER__STORE"] = cluster.Store,
            ["GANCLUSTER_WORKER__THREADS"] = Text(threads),
            ["GANCLUSTER_HOSTING__METRICSPORT"] = Text(metricsPort),
        };
        foreach (var (key, value) in LocalCredentials.Ensure(cluster).WorkerSettings(name).Concat(resources.Settings()))
            settings[key] = value;
        if (postgresFile is null)
            settings["GANCLUSTER_WORKER__GATEWAYPORT"] = Text(silo.GatewayPort);
        else
            settings["GANCLUSTER_WORKER__POSTGRESFILE"] = postgresFile;
        var process = LocalProcesses.StartDotnet(workerDll, [], Path.Combine(cluster.Logs, $"{name}.log"), settings);
        return new WorkerInfo(process.Pid, name, metricsPort) { StartTime = process.StartTime, Threads = threads };
    }

    private static ClusterInfo StartPrometheus(ClusterDirectory cluster, ClusterInfo info, TimeSpan scrapeInterval)
    {
        if (scrapeInterval < TimeSpan.FromSeconds(1))
            throw new UsageException($"--scrape-interval must be at least 1 second, found {scrapeInterval.TotalSeconds}");
        using var prometheus = LocalPrometheus.Start(new LocalPrometheusOptions
        {
            Directory = cluster.Prometheus, TargetsFile = cluster.ScrapeTargetsFile, ScrapeInterval = scrapeInterval, Detached = true,
        });
        return info with { PrometheusPid = prometheus.Pid, PrometheusStartTime = ProcessIds.StartTime(prometheus.Pid), PrometheusUrl = prometheus.Url };
    }

    /// <summary>The cores split between the workers, so that local workers do not oversubscribe them.</summary>
    private static int DefaultThreads(int workers) => Math.Max(1, Environment.ProcessorCount / Math.Max(1, workers));

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
