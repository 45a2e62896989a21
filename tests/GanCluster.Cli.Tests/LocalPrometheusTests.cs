using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using GanCluster.Cli.Cluster;

namespace GanCluster.Cli.Tests;

/// <summary>
/// The local Prometheus of `gancluster up --prometheus`, against Debian's real server (installed by
/// <c>scripts/setup.sh --prometheus</c>): it scrapes what the targets file lists, follows rewrites of that file, and stops.
/// </summary>
public sealed class LocalPrometheusTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static string NewDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "gancluster-prom", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static LocalPrometheusOptions Options(string dir, bool detached = false, int? port = null) => new()
    {
        Directory = Path.Combine(dir, "prometheus"),
        TargetsFile = Path.Combine(dir, "targets.json"),
        ScrapeInterval = TimeSpan.FromSeconds(1),
        Detached = detached,
        Port = port,
    };

    private static void Report(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    private static bool PortIsFree(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        try
        {
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public void The_targets_file_lists_each_endpoint_with_its_job_and_name()
    {
        var dir = NewDirectory();
        var file = Path.Combine(dir, "sd", "targets.json");
        PrometheusTargets.Write(file, [new ScrapeTarget(ScrapeJob.Silo, "silo-1", "127.0.0.1", 9311), new ScrapeTarget(ScrapeJob.Worker, "worker-2", "127.0.0.1", 9412)]);
        PrometheusTargets.Write(file, [new ScrapeTarget(ScrapeJob.Silo, "silo-1", "127.0.0.1", 9311), new ScrapeTarget(ScrapeJob.Worker, "worker-2", "127.0.0.1", 9413)]);

        using var json = JsonDocument.Parse(File.ReadAllText(file));
        var groups = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(2, groups.Count);
        Assert.Equal(["127.0.0.1:9311"], groups[0].GetProperty("targets").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(["127.0.0.1:9413"], groups[1].GetProperty("targets").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(new Dictionary<string, string?> { ["job"] = "gancluster-silo", ["instance_name"] = "silo-1" },
            groups[0].GetProperty("labels").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()));
        Assert.Equal(new Dictionary<string, string?> { ["job"] = "gancluster-worker", ["instance_name"] = "worker-2" },
            groups[1].GetProperty("labels").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()));
        // The rewrite went through a temporary file that is gone now.
        Assert.Equal(["targets.json"], Directory.GetFiles(Path.GetDirectoryName(file)!).Select(Path.GetFileName));
        PrometheusTargets.Write(file, []);
        Assert.Equal("[]", File.ReadAllText(file).Trim());
        Assert.Throws<ArgumentOutOfRangeException>(() => new ScrapeTarget(ScrapeJob.Worker, "worker-1", "127.0.0.1", 0));
    }

    [Fact]
    public void A_missing_binary_says_how_to_install_it()
    {
        var dir = NewDirectory();
        var options = Options(dir);
        var e = Assert.Throws<UsageException>(() => LocalPrometheus.Start(new LocalPrometheusOptions
        {
            Directory = options.Directory,
            TargetsFile = options.TargetsFile,
            Binary = Path.Combine(dir, "no-such-prometheus"),
        }));
        Assert.Contains("no-such-prometheus does not exist", e.Message, StringComparison.Ordinal);
        Assert.Contains("scripts/setup.sh --prometheus", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(options.Directory), "nothing is written when there is nothing to run");
    }

    [Fact]
    public void A_start_that_fails_shows_the_end_of_the_log()
    {
        var dir = NewDirectory();
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var port = ((IPEndPoint)busy.LocalEndpoint).Port;

        var e = Assert.Throws<UsageException>(() => LocalPrometheus.Start(Options(dir, port: port)));

        Assert.Contains("exited before it was ready", e.Message, StringComparison.Ordinal);
        Assert.Contains("address already in use", e.Message, StringComparison.Ordinal);
        Report(e.Message);
    }

    [Fact]
    public async Task Prometheus_scrapes_what_the_targets_file_lists_and_follows_its_rewrites()
    {
        var ct = TestContext.Current.CancellationToken;
        var dir = NewDirectory();
        await using var silo = await GaugeEndpoint.StartAsync("test_gauge", 42);
        await using var worker = await GaugeEndpoint.StartAsync("test_gauge", 5);
        var siloTarget = new ScrapeTarget(ScrapeJob.Silo, "silo-1", "127.0.0.1", silo.Port);
        var workerTarget = new ScrapeTarget(ScrapeJob.Worker, "worker-1", "127.0.0.1", worker.Port);
        var options = Options(dir);
        PrometheusTargets.Write(options.TargetsFile, [siloTarget]);

        var clock = Stopwatch.StartNew();
        var prometheus = LocalPrometheus.Start(options);
        var started = clock.Elapsed;
        int pid = prometheus.Pid, port = prometheus.Port;
        try
        {
            Assert.Equal("prometheus", PosixProcess.Name(pid));
            using var api = new PrometheusQueryClient(prometheus.Url);
            var up = await api.WaitForTargetsAsync(t => t.Count == 1 && t[0].Health == TargetHealth.Up, Patience, ct);
            var firstUp = clock.Elapsed;
            Assert.Equal($"http://127.0.0.1:{silo.Port}/metrics", up[0].ScrapeUrl);
            Assert.Equal("gancluster-silo", up[0].Labels["job"]);
            Assert.Equal("silo-1", up[0].Labels["instance_name"]);
            var sample = Assert.Single(await api.WaitForAsync("test_gauge", s => s.Count == 1, Patience, ct));
            Assert.Equal(42, sample.Value);
            Assert.Equal("silo-1", sample.Labels["instance_name"]);
            Assert.Equal($"127.0.0.1:{silo.Port}", sample.Labels["instance"]);

            silo.Value = 7.5;
            await api.WaitForAsync("test_gauge{job=\"gancluster-silo\"}", s => s.Count == 1 && s[0].Value == 7.5, Patience, ct);

            clock.Restart();
            PrometheusTargets.Write(options.TargetsFile, [siloTarget, workerTarget]);
            await api.WaitForTargetsAsync(t => t.Count == 2 && t.All(x => x.Health == TargetHealth.Up), Patience, ct);
            var added = clock.Elapsed;
            var byJob = await api.WaitForAsync("sum by (job) (test_gauge)", s => s.Count == 2, Patience, ct);
            Assert.Equal(7.5, byJob.Single(s => s.Labels["job"] == "gancluster-silo").Value);
            Assert.Equal(5, byJob.Single(s => s.Labels["job"] == "gancluster-worker").Value);

            clock.Restart();
            PrometheusTargets.Write(options.TargetsFile, [workerTarget]);
            var left = await api.WaitForTargetsAsync(t => t.Count == 1, Patience, ct);
            var removed = clock.Elapsed;
            Assert.Equal("worker-1", left[0].Labels["instance_name"]);
            Assert.Equal($"http://127.0.0.1:{worker.Port}/metrics", left[0].ScrapeUrl);

            var bad = await Assert.ThrowsAsync<PrometheusQueryException>(() => api.QueryAsync("test_gauge{", ct));
            Assert.Contains("bad_data", bad.Message, StringComparison.Ordinal);
            var scalar = Assert.Single(await api.QueryAsync("scalar(vector(3))", ct));
            Assert.Equal(3, scalar.Value);

            Report($"ready after {started.TotalMilliseconds:0} ms, first target up {firstUp.TotalMilliseconds:0} ms after the start; " +
                $"an added target up after {added.TotalMilliseconds:0} ms, a removed one gone after {removed.TotalMilliseconds:0} ms");
        }
        finally
        {
            prometheus.Dispose();
        }
        Assert.Null(PosixProcess.Name(pid));
        Assert.False(Directory.Exists($"/proc/{pid}"), "the owner reaps its Prometheus: no zombie left");
        Assert.True(PortIsFree(port), $"port {port} is free again");
    }

    [Fact]
    public void A_detached_Prometheus_runs_in_its_own_session_until_stopped_by_pid()
    {
        var dir = NewDirectory();
        var options = Options(dir, detached: true);
        PrometheusTargets.Write(options.TargetsFile, []);
        int pid, port;
        using (var prometheus = LocalPrometheus.Start(options))
        {
            pid = prometheus.Pid;
            port = prometheus.Port;
        }
        try
        {
            Assert.Equal("prometheus", PosixProcess.Name(pid));
            // Field 6 of /proc/PID/stat is the session: its own, so the terminal's Ctrl+C and hang-up do not reach it.
            Assert.Equal(pid.ToString(), File.ReadAllText($"/proc/{pid}/stat").Split(") ")[1].Split(' ')[3]);
            // Nothing of ours is held open: stdin is /dev/null and both outputs go to its log, which outlives any pipe of the starter.
            var log = Path.Combine(options.Directory, "prometheus.log");
            Assert.Equal(["/dev/null", log, log], new[] { 0, 1, 2 }.Select(fd => new FileInfo($"/proc/{pid}/fd/{fd}").LinkTarget));
            Assert.True(new FileInfo(log).Length > 0, "its output goes to its log");
            LocalPrometheus.Stop(Environment.ProcessId); // not Prometheus: left alone
        }
        finally
        {
            LocalPrometheus.Stop(pid);
        }
        Assert.Null(PosixProcess.Name(pid));
        Assert.False(Directory.Exists($"/proc/{pid}"), "its starter (here, this test) reaps it: no zombie left");
        Assert.True(PortIsFree(port), $"port {port} is free again");
        LocalPrometheus.Stop(pid); // already gone: nothing to do
    }
}
