using System.Text.Json;
using GanCluster.Cli.Cluster;
using static GanCluster.Cli.Tests.LocalClusterTests;

namespace GanCluster.Cli.Tests;

/// <summary>
/// `gancluster up --prometheus`: Debian's real Prometheus scrapes a local cluster that trains a two-rank run, and
/// every series the silo and the workers export is read back through PromQL and checked for sanity.
/// </summary>
public sealed class ClusterMetricsTests
{
    internal const string LongToy = """
        name: metrics-toy
        seed: 5
        steps: 1000000
        batch_size: 64
        threads: 1
        model: { name: toy, hidden: 32 }
        dataset: { kind: ring8 }
        report_every: 20
        checkpoint_every: 200
        health: { eval_every: 0 }
        """;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_real_Prometheus_reads_every_series_of_a_cluster_training_a_two_rank_run_and_a_finished_runs_series_go()
    {
        var dir = CliProcess.NewDirectory();
        var spec = CliProcess.WriteSpec(dir, LongToy);
        var cluster = Path.Combine(dir, "cluster");
        var up = CliProcess.Run(dir, "up", "--workers", "3", "--threads", "1", "--prometheus", "--scrape-interval", "1", "--cluster", cluster);
        Assert.True(up.ExitCode == 0, up.ToString());
        using var info = JsonDocument.Parse(File.ReadAllText(Path.Combine(cluster, "cluster.json")));
        var url = info.RootElement.GetProperty("PrometheusUrl").GetString()!;
        var prometheusPid = info.RootElement.GetProperty("PrometheusPid").GetInt32();
        Assert.Contains($"prometheus: {url}", up.Output);
        using var prometheus = new PrometheusQueryClient(url);
        try
        {
            await prometheus.WaitForTargetsAsync(t => t.Count == 4 && t.All(x => x.Health == TargetHealth.Up), Patience, Ct);

            // A two-rank run trains on two of the three workers; a second two-rank run waits for a gang.
            var running = Submit(dir, spec, cluster, "running");
            WaitUntil(() => Show(dir, running, cluster).GetProperty("state").GetString() == "RUN_STATE_RUNNING", "the first run to start");
            var waiting = Submit(dir, spec, cluster, "waiting");
            var bad = CliProcess.Run(dir, "run", "submit", spec, "--set", "batch_size=7", "--world-size", "2", "--cluster", cluster);
            Assert.Equal(ExitCodes.UsageError, bad.ExitCode);

            // Worker: every health gauge of the run it trains, labelled by run, sweep, rank and net.
            var losses = await Wait($"gancluster_d_loss{{run=\"{running}\"}}", r => r.Count == 2);
            Assert.All(losses, s => Assert.True(double.IsFinite(s.Value), $"D loss {s.Value}"));
            Assert.Equal(["0", "1"], losses.Select(s => s.Labels["rank"]).Order());
            Assert.All(losses, s => Assert.Equal("", s.Labels.GetValueOrDefault("sweep", "")));
            var norms = await Wait($"gancluster_grad_norm{{run=\"{running}\",rank=\"0\"}}", r => r.Count == 2);
            Assert.Equal(["d", "g"], norms.Select(s => s.Labels["net"]).Order());
            Assert.All(norms, s => Assert.True(s.Value > 0 && double.IsFinite(s.Value)));
            await Wait($"gancluster_step{{run=\"{running}\"}}", r => r.Count == 2 && r.All(s => s.Value > 0));
            await Wait($"gancluster_collapse_verdict{{run=\"{running}\",rank=\"0\"}}", r => r.Count == 1 && r[0].Value is >= 0 and <= 3);

            // Worker: step time, all-reduce bytes and time per collective, checkpoint writes, state and device.
            await Wait("sum(rate(gancluster_step_seconds_count[10s]))", r => r.Count == 1 && r[0].Value > 1);
            await Wait("histogram_quantile(0.5, sum by (le) (rate(gancluster_step_seconds_bucket[10s])))", r => r.Count == 1 && r[0].Value is > 0 and < 1);
            var reduced = await Wait("sum by (collective) ({__name__=~\"gancluster_allreduce_bytes.*_total\"})", r => r.Any(s => s.Labels.GetValueOrDefault("collective") == "D gradients" && s.Value > 0));
            Assert.Contains(reduced, s => s.Labels.GetValueOrDefault("collective") == "G gradients" && s.Value > 0);
            await Wait("sum by (collective) (gancluster_allreduce_seconds_count)", r => r.Count >= 2 && r.All(s => s.Value > 0));
            await Wait("sum(gancluster_checkpoint_write_seconds_count)", r => r.Count == 1 && r[0].Value >= 1);
            await Wait("sum({__name__=~\"gancluster_checkpoint_bytes.*_total\"})", r => r.Count == 1 && r[0].Value > 1000);
            await Wait("sum by (state) (gancluster_worker_state)", r => Value(r, "state", "training") == 2 && Value(r, "state", "idle") == 1);
            await Wait("count(gancluster_worker_info{device=\"cpu\"})", r => r.Count == 1 && r[0].Value == 3);

            // Silo: runs by state, the queue, pending gang demand in ranks, workers by state, API calls and errors.
            await Wait("gancluster_pending_ranks", r => r.Count == 1 && r[0].Value == 2);
            await Wait("gancluster_queue_runs", r => r.Count == 1 && r[0].Value == 1);
            await Wait("gancluster_runs", r => Value(r, "state", "running") == 1 && Value(r, "state", "pending") == 1);
            await Wait("gancluster_workers", r => Value(r, "state", "training") == 2 && Value(r, "state", "idle") == 1);
            await Wait("sum by (method) (gancluster_api_call_seconds_count)", r => Value(r, "method", "SubmitRun") >= 3 && Value(r, "method", "GetRun") >= 1);
            await Wait("sum by (method, code) ({__name__=~\"gancluster_api_errors.*\"})", r => r.Any(s => s.Labels.GetValueOrDefault("code") == "InvalidArgument" && s.Value >= 1));

            // Both: Orleans' own meters and the .NET runtime's.
            await Wait("count by (job) ({__name__=~\"orleans_.*\"})", r => r.Any(s => s.Labels["job"] == "gancluster-silo"));
            await Wait("count by (job) ({__name__=~\"dotnet_.*|process_runtime_dotnet_.*\"})", r => r.Count == 2);

            // The first run ends: its series go, and the waiting run is placed (pending demand drops to 0).
            Assert.Equal(0, CliProcess.Run(dir, "run", "cancel", running, "--cluster", cluster).ExitCode);
            await Wait("gancluster_pending_ranks", r => r.Count == 1 && r[0].Value == 0);
            await Wait($"gancluster_d_loss{{run=\"{waiting}\"}}", r => r.Count == 2);
            await Wait($"{{run=\"{running}\"}}", r => r.Count == 0);
            await Wait("gancluster_runs", r => Value(r, "state", "cancelled") == 1 && Value(r, "state", "running") == 1);
            Assert.Equal(0, CliProcess.Run(dir, "run", "cancel", waiting, "--cluster", cluster).ExitCode);
            await Wait($"{{run=\"{waiting}\"}}", r => r.Count == 0);
        }
        finally
        {
            var down = CliProcess.Run(dir, "down", "--cluster", cluster);
            Assert.True(down.ExitCode == 0, down.ToString());
        }
        Assert.False(ProcessIds.Alive(prometheusPid), "down stops Prometheus");
        Assert.Equal("[]", File.ReadAllText(Path.Combine(cluster, "prometheus", "targets.json")).Trim());

        Task<IReadOnlyList<PrometheusSample>> Wait(string query, Func<IReadOnlyList<PrometheusSample>, bool> condition) =>
            prometheus.WaitForAsync(query, condition, Patience, Ct);
    }

    private static double? Value(IReadOnlyList<PrometheusSample> samples, string label, string value) =>
        samples.FirstOrDefault(s => s.Labels.GetValueOrDefault(label) == value)?.Value;

    private static string Submit(string dir, string spec, string cluster, string name) =>
        Json(CliProcess.Run(dir, "run", "submit", spec, "--set", $"name={name}", "--world-size", "2", "--cluster", cluster, "--output", "json")).GetProperty("id").GetString()!;

    private static JsonElement Show(string dir, string id, string cluster) =>
        Json(CliProcess.Run(dir, "run", "show", id, "--cluster", cluster, "--output", "json"));
}
