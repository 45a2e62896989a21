using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GanCluster.Cli.Cluster;
using static GanCluster.Cli.Tests.LocalClusterTests;

namespace GanCluster.Cli.Tests;

/// <summary>
/// Every query of every shipped Grafana dashboard (deploy/grafana), panels, annotations and variables, returns data
/// from a real Prometheus scraping a real local cluster that trains a two-rank run, an image run with its evaluator
/// and a small ASHA sweep; and every metric a query names is one that the silo or the workers export.
/// </summary>
public sealed partial class DashboardQueryTests
{
    /// <summary>The metrics test's long two-rank run, evaluated every 50 steps.</summary>
    private static readonly string Toy = ClusterMetricsTests.LongToy.Replace("health: { eval_every: 0 }", "health: { eval_every: 50, eval_samples: 400 }", StringComparison.Ordinal);

    private const string Images = """
        name: dash-images
        seed: 3
        steps: 200
        batch_size: 16
        threads: 1
        model: { name: mlp }
        dataset: { kind: idx, path: digits }
        report_every: 10
        checkpoint_every: 100
        health: { eval_every: 50, eval_samples: 100 }
        """;

    private const string Sweep = """
        name: dash-sweep
        base:
          name: dash-trial
          steps: 800
          batch_size: 128
          threads: 1
          model: { name: toy, hidden: 64 }
          dataset: { kind: ring8 }
          report_every: 20
          checkpoint_every: 0
          health: { eval_every: 100, eval_samples: 400 }
        space:
          optimizers.g.lr: [1.0e-5, 1.0e-4, 1.0e-3, 3.0e-3]
        algorithm: { kind: asha, grace_steps: 100, eta: 2 }
        metric: { name: reverse_kl, goal: min }
        max_trials: 4
        max_concurrent_trials: 1
        steps_per_trial: 800
        seed: 3
        """;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_dashboard_query_returns_data_from_a_real_Prometheus_scraping_a_training_cluster()
    {
        var dir = CliProcess.NewDirectory();
        CliProcess.WriteDigits(dir, 300);
        var evaluator = CliProcess.Run(dir, "evaluator", "train", "--dataset", "mnist", "--path", "digits", "--epochs", "1", "--threads", "1");
        Assert.True(evaluator.ExitCode == 0, evaluator.ToString());
        var cluster = Path.Combine(dir, "cluster");
        var up = CliProcess.Run(dir, "up", "--workers", "3", "--threads", "1", "--prometheus", "--scrape-interval", "1", "--cluster", cluster);
        Assert.True(up.ExitCode == 0, up.ToString());
        var started = DateTimeOffset.UtcNow;
        using var info = JsonDocument.Parse(File.ReadAllText(Path.Combine(cluster, "cluster.json")));
        using var prometheus = new PrometheusQueryClient(info.RootElement.GetProperty("PrometheusUrl").GetString()!);
        try
        {
            await prometheus.WaitForTargetsAsync(t => t.Count == 4 && t.All(x => x.Health == TargetHealth.Up), Patience, Ct);
            var toy = SubmitRun(dir, CliProcess.WriteSpec(dir, Toy, "toy.yaml"), cluster, worldSize: 2);
            var images = SubmitRun(dir, CliProcess.WriteSpec(dir, Images, "images.yaml"), cluster, worldSize: 1);
            var sweep = Json(CliProcess.Run(dir, "sweep", "submit", CliProcess.WriteSpec(dir, Sweep, "sweep.yaml"), "--cluster", cluster, "--output", "json")).GetProperty("id").GetString()!;
            // An API error, for the errors panel.
            Assert.Equal(ExitCodes.UsageError, CliProcess.Run(dir, "run", "submit", Path.Combine(dir, "toy.yaml"), "--set", "batch_size=7", "--world-size", "2", "--cluster", cluster).ExitCode);
            WaitUntil(() => Json(CliProcess.Run(dir, "sweep", "show", sweep, "--cluster", cluster, "--output", "json")).GetProperty("state").GetString() == "SWEEP_STATE_COMPLETED", "the sweep to complete");
            WaitUntil(() => Json(CliProcess.Run(dir, "run", "show", images, "--cluster", cluster, "--output", "json")).GetProperty("state").GetString() == "RUN_STATE_COMPLETED", "the image run to complete");
            // At least two scrapes after the last change, so that rates over the range have two points.
            await Task.Delay(TimeSpan.FromSeconds(3), Ct);

            var names = await prometheus.MetricNamesAsync(Ct);
            var empty = new List<string>();
            foreach (var file in Directory.GetFiles(Path.Combine(ExampleSpecTests.RepositoryRoot(), "deploy", "grafana"), "*.json").Order(StringComparer.Ordinal))
            {
                var dashboard = JsonNode.Parse(File.ReadAllText(file))!;
                foreach (var (where, expr) in Queries(dashboard))
                {
                    foreach (var metric in MetricName().Matches(expr).Select(m => m.Value).Distinct())
                        Assert.True(names.Contains(metric), $"{Path.GetFileName(file)} {where}: {metric} is exported by no process of the cluster");
                    var query = expr.Replace("$__rate_interval", "30s").Replace("$run", $"{toy}|{images}").Replace("$sweep", sweep).Replace("$instance", ".*");
                    if (where.StartsWith("variable", StringComparison.Ordinal))
                        query = LabelValues().Match(query) is { Success: true } m ? $"count by ({m.Groups[2].Value}) ({m.Groups[1].Value})" : query;
                    var series = await prometheus.QueryRangeAsync(query, started, DateTimeOffset.UtcNow, TimeSpan.FromSeconds(2), Ct);
                    if (series.Count == 0)
                        empty.Add($"{Path.GetFileName(file)} {where}: {query}");
                }
            }
            Assert.True(empty.Count == 0, "queries that returned no data:\n" + string.Join("\n", empty));

            // KEDA's query (deploy/k8s/base/autoscaling.yaml) answered, while ranks were pending, at least the training and pending ranks.
            var keda = KedaQuery().Match(File.ReadAllText(Path.Combine(ExampleSpecTests.RepositoryRoot(), "deploy", "k8s", "base", "autoscaling.yaml"))).Groups[1].Value.Trim();
            Assert.Equal("max(gancluster_worker_replicas_needed)", keda);
            var demand = await prometheus.QueryRangeAsync($"({keda}) >= on () (sum(gancluster_pending_ranks) + sum(gancluster_workers{{state=\"training\"}})) and on () sum(gancluster_pending_ranks) > 0",
                started, DateTimeOffset.UtcNow, TimeSpan.FromSeconds(1), Ct);
            Assert.NotEmpty(demand);
            Assert.Equal(0, CliProcess.Run(dir, "run", "cancel", toy, "--cluster", cluster).ExitCode);
        }
        finally
        {
            var down = CliProcess.Run(dir, "down", "--cluster", cluster);
            Assert.True(down.ExitCode == 0, down.ToString());
        }
    }

    private static string SubmitRun(string dir, string spec, string cluster, int worldSize) =>
        Json(CliProcess.Run(dir, "run", "submit", spec, "--world-size", $"{worldSize}", "--cluster", cluster, "--output", "json")).GetProperty("id").GetString()!;

    /// <summary>Every PromQL expression of a dashboard, with where it is.</summary>
    private static IEnumerable<(string Where, string Expr)> Queries(JsonNode dashboard)
    {
        foreach (var panel in dashboard["panels"]!.AsArray())
        {
            foreach (var target in panel!["targets"]?.AsArray() ?? [])
                yield return ($"panel '{panel["title"]}' {target!["refId"]}", target["expr"]!.GetValue<string>());
        }
        foreach (var annotation in dashboard["annotations"]!["list"]!.AsArray().Where(a => a!["expr"] is not null))
            yield return ($"annotation '{annotation!["name"]}'", annotation["expr"]!.GetValue<string>());
        foreach (var variable in dashboard["templating"]!["list"]!.AsArray().Where(v => v!["type"]!.GetValue<string>() == "query"))
            yield return ($"variable ${variable!["name"]}", variable["query"]!.GetValue<string>());
    }

    [GeneratedRegex(@"\b(gancluster|orleans)_[a-z_]+\b")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"query:\s*(.+)")]
    private static partial Regex KedaQuery();

    /// <summary>Grafana's label_values(SELECTOR, LABEL), which is not PromQL.</summary>
    [GeneratedRegex(@"^label_values\((.+),\s*([a-z_]+)\)$")]
    private static partial Regex LabelValues();
}
