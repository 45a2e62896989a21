using System.Text.Json;
using GanCluster.Cli.Tests;
using static GanCluster.Cli.Tests.LocalClusterTests;

namespace GanCluster.Cli.Tests;

/// <summary>Sweeps end to end (issue 14): a real local cluster, its scheduler and workers, the CLI.</summary>
public sealed class SweepClusterTests
{
    private const string Grid = """
        name: grid-lr
        base:
          name: toy-grid
          steps: 200
          batch_size: 64
          threads: 1
          model: { name: toy, latent_dim: 8, hidden: 32, layers: 2 }
          dataset: { kind: grid25 }
          optimizers:
            g: { kind: adam, lr: 5.0e-4, betas: [0.5, 0.999] }
            d: { kind: adam, lr: 5.0e-4, betas: [0.5, 0.999] }
          report_every: 50
          checkpoint_every: 100
          health: { eval_every: 50, eval_samples: 500 }
        space:
          optimizers.g.lr: [5.0e-4, 2.0e-3]
          optimizers.d.lr: [5.0e-4, 2.0e-3]
        seeds: [3, 4]
        algorithm: { kind: grid }
        metric: { name: high_quality_fraction, goal: max }
        max_trials: 8
        max_concurrent_trials: 2
        steps_per_trial: 200
        on_collapse: continue
        """;

    /// <summary>Student's t quantile for a 95% interval with one degree of freedom (two seeds).</summary>
    private const double T975OneDegree = 12.706204736174705;

    [Fact]
    public void A_grid_of_two_by_two_configurations_and_two_seeds_runs_eight_trials_and_aggregates_them_per_configuration()
    {
        var dir = CliProcess.NewDirectory();
        var sweepFile = CliProcess.WriteSpec(dir, Grid, "sweep.yaml");
        var cluster = Path.Combine(dir, "cluster");
        var validated = CliProcess.Run(dir, "sweep", "validate", sweepFile);
        Assert.True(validated.ExitCode == 0, validated.ToString());
        Assert.Contains("8 trial(s)", validated.Output);
        var up = CliProcess.Run(dir, "up", "--workers", "2", "--threads", "1", "--cluster", cluster);
        Assert.True(up.ExitCode == 0, up.ToString());
        try
        {
            var submitted = CliProcess.Run(dir, "sweep", "submit", sweepFile, "--watch", "--cluster", cluster);
            Assert.True(submitted.ExitCode == 0, submitted.ToString());
            var id = System.Text.RegularExpressions.Regex.Match(submitted.Output, @"submitted sweep (\S+)").Groups[1].Value;
            var sweep = Json(CliProcess.Run(dir, "sweep", "show", id, "--cluster", cluster, "--output", "json"));
            Assert.Equal("SWEEP_STATE_COMPLETED", sweep.GetProperty("state").GetString());
            var trials = sweep.GetProperty("trials").EnumerateArray().ToList();
            Assert.Equal(8, trials.Count);
            Assert.All(trials, t => Assert.Equal("RUN_STATE_COMPLETED", t.GetProperty("state").GetString()));

            // Exactly the product of the axes, each configuration with each seed, once.
            var expected = from g in new[] { "5.0e-4", "2.0e-3" } from d in new[] { "5.0e-4", "2.0e-3" } from seed in new[] { 3L, 4L } select $"{g}|{d}|{seed}";
            var actual = trials.Select(t => $"{t.GetProperty("values").GetProperty("optimizers.g.lr").GetString()}|{t.GetProperty("values").GetProperty("optimizers.d.lr").GetString()}|{long.Parse(t.GetProperty("seed").GetString()!)}");
            Assert.Equal(expected.Order(), actual.Order());

            // A trial's score is its best evaluation (not its last), at the step where it happened.
            foreach (var t in trials)
            {
                var curve = t.GetProperty("curve").EnumerateArray().Select(p => (Step: long.Parse(p.GetProperty("step").GetString()!), Value: p.GetProperty("value").GetDouble())).ToList();
                Assert.Equal([50L, 100, 150, 200], curve.Select(p => p.Step));
                var best = curve.MaxBy(p => p.Value);
                Assert.Equal(best.Value, t.GetProperty("best").GetDouble());
                Assert.Equal(best.Step, long.Parse(t.GetProperty("bestStep").GetString()!));
            }

            // Each configuration across its two seeds: mean, sd, a t interval, median, worst; best mean first.
            var configurations = sweep.GetProperty("configurations").EnumerateArray().ToList();
            Assert.Equal(4, configurations.Count);
            foreach (var c in configurations)
            {
                var scores = trials.Where(t => t.GetProperty("configuration").GetInt32() == c.GetProperty("configuration").GetInt32()).Select(t => t.GetProperty("best").GetDouble()).ToList();
                Assert.Equal(2, scores.Count);
                var mean = scores.Average();
                var sd = Math.Sqrt(scores.Sum(x => (x - mean) * (x - mean)) / (scores.Count - 1));
                Assert.Equal(mean, c.GetProperty("mean").GetDouble(), 12);
                Assert.Equal(sd, c.GetProperty("standardDeviation").GetDouble(), 12);
                Assert.Equal(mean - T975OneDegree * sd / Math.Sqrt(2), c.GetProperty("ciLow").GetDouble(), 9);
                Assert.Equal(mean + T975OneDegree * sd / Math.Sqrt(2), c.GetProperty("ciHigh").GetDouble(), 9);
                Assert.Equal(mean, c.GetProperty("median").GetDouble(), 12);
                Assert.Equal(scores.Min(), c.GetProperty("worst").GetDouble());
                Assert.Equal(2, c.GetProperty("scored").GetInt32());
            }
            var means = configurations.Select(c => c.GetProperty("mean").GetDouble()).ToList();
            Assert.Equal(means.OrderDescending(), means);

            // The trials are ordinary runs of the cluster, and the table names the best trial.
            var runs = Json(CliProcess.Run(dir, "run", "list", "--cluster", cluster, "--output", "json")).GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("id").GetString()).ToHashSet();
            Assert.All(trials, t => Assert.Contains(t.GetProperty("runId").GetString(), runs));
            var table = CliProcess.Run(dir, "sweep", "show", id, "--cluster", cluster);
            Assert.Contains("best trial:", table.Output);
            Assert.Contains("completed: 8 trial(s)", table.Output);
        }
        finally
        {
            CliProcess.Run(dir, "down", "--cluster", cluster);
        }
    }

    private const string Asha = """
        name: asha-lr
        base:
          name: toy-asha
          steps: 300
          batch_size: 64
          threads: 1
          model: { name: toy, latent_dim: 8, hidden: 32, layers: 2 }
          dataset: { kind: ring8 }
          report_every: 50
          checkpoint_every: 100
          health: { eval_every: 50, eval_samples: 400 }
        space:
          optimizers.g.lr: { loguniform: [1.0e-5, 1.0e-2] }
          optimizers.d.lr: { loguniform: [1.0e-5, 1.0e-2] }
        seeds: [1]
        algorithm: { kind: asha, grace_steps: 100, eta: 2 }
        metric: { name: high_quality_fraction, goal: max }
        max_trials: 6
        max_concurrent_trials: 1
        seed: 5
        on_collapse: continue
        """;

    [Fact]
    public void An_asha_sweep_whose_silo_is_killed_mid_sweep_loses_no_trial_runs_none_twice_and_decides_as_an_uninterrupted_one()
    {
        var straight = RunSweep(Asha, killSiloAfterEndedTrials: null);
        var interrupted = RunSweep(Asha, killSiloAfterEndedTrials: 2);
        Assert.Equal(6, straight.Count);
        Assert.Contains(straight, t => t.Stopped);
        Assert.Equal(straight, interrupted);

        // The production layout: two silos on PostgreSQL, each killed in turn mid-sweep (so whichever held the
        // sweep's grain died with it once), each restarted by `up`.
        using var postgres = PostgresServer.Start();
        var failedOver = RunSweep(Asha, killSiloAfterEndedTrials: 2, postgresFile: postgres.WriteConnectionFile(CliProcess.NewDirectory()));
        Assert.Equal(straight, failedOver);
    }

    private sealed record TrialDecisionRecord(int Number, string Values, bool Stopped, double? Best, long? BestStep, string State);

    /// <param name="postgresFile">Two silos on this PostgreSQL server, killed one after the other; null for one silo on SQLite.</param>
    private static List<TrialDecisionRecord> RunSweep(string yaml, int? killSiloAfterEndedTrials, string? postgresFile = null)
    {
        var dir = CliProcess.NewDirectory();
        var sweepFile = CliProcess.WriteSpec(dir, yaml, "sweep.yaml");
        var cluster = Path.Combine(dir, "cluster");
        string[] layout = postgresFile is null ? [] : ["--silos", "2", "--postgres-file", postgresFile];
        var up = CliProcess.Run(dir, ["up", "--workers", "1", "--threads", "1", "--cluster", cluster, .. layout]);
        Assert.True(up.ExitCode == 0, up.ToString());
        try
        {
            var id = Json(CliProcess.Run(dir, "sweep", "submit", sweepFile, "--cluster", cluster, "--output", "json")).GetProperty("id").GetString()!;
            JsonElement Show() => Json(CliProcess.Run(dir, "sweep", "show", id, "--cluster", cluster, "--output", "json"));
            int Ended() => Show().GetProperty("trials").EnumerateArray().Count(t => t.GetProperty("state").GetString() is "RUN_STATE_COMPLETED" or "RUN_STATE_CANCELLED");
            if (killSiloAfterEndedTrials is { } ended)
            {
                for (var silo = 0; silo < (postgresFile is null ? 1 : 2); silo++)
                {
                    WaitUntil(() => Ended() >= ended + 2 * silo, $"{ended + 2 * silo} trials to end", TimeSpan.FromMinutes(3));
                    ClusterProcesses.Read(cluster).KillSilo(silo);
                    var restart = CliProcess.Run(dir, "up", "--cluster", cluster);
                    Assert.True(restart.ExitCode == 0, restart.ToString());
                }
            }
            WaitUntil(() => Show().GetProperty("state").GetString() is "SWEEP_STATE_COMPLETED" or "SWEEP_STATE_FAILED", "the sweep to end", TimeSpan.FromMinutes(5));
            var sweep = Show();
            Assert.Equal("SWEEP_STATE_COMPLETED", sweep.GetProperty("state").GetString());
            var trials = sweep.GetProperty("trials").EnumerateArray().ToList();
            // No trial twice: one run per trial number, and the cluster holds exactly those runs.
            Assert.Equal(trials.Count, trials.Select(t => t.GetProperty("number").GetInt32()).Distinct().Count());
            var runs = Json(CliProcess.Run(dir, "run", "list", "--cluster", cluster, "--output", "json")).GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("id").GetString()).ToList();
            Assert.Equal(trials.Select(t => t.GetProperty("runId").GetString()).Order(), runs.Order());
            return [.. trials.Select(t => new TrialDecisionRecord(
                t.GetProperty("number").GetInt32(),
                string.Join(",", t.GetProperty("values").EnumerateObject().OrderBy(v => v.Name).Select(v => $"{v.Name}={v.Value.GetString()}")),
                t.GetProperty("stopped").GetString()!.Length > 0,
                t.TryGetProperty("best", out var best) ? best.GetDouble() : null,
                t.TryGetProperty("bestStep", out var step) ? long.Parse(step.GetString()!) : null,
                // A stopped trial's run may complete before the stop reaches it: the decision is what must match.
                t.GetProperty("stopped").GetString()!.Length > 0 ? "stopped" : t.GetProperty("state").GetString()!))];
        }
        finally
        {
            CliProcess.Run(dir, "down", "--cluster", cluster);
        }
    }

    [Fact]
    public void A_trial_that_would_take_its_sweep_past_the_disk_quota_fails_saying_so_and_frees_its_worker()
    {
        // A wide toy GAN: each checkpoint is about 13 MB, so the second one would pass a 20 MB quota.
        const string quota = """
            name: quota
            base:
              name: toy-quota
              steps: 100
              batch_size: 16
              threads: 1
              model: { name: toy, latent_dim: 16, hidden: 512, layers: 3 }
              dataset: { kind: ring8 }
              report_every: 50
              checkpoint_every: 50
              keep_checkpoints: 5
              health: { eval_every: 50, eval_samples: 200 }
            space: {}
            seeds: [1]
            algorithm: { kind: grid }
            metric: { name: modes_covered, goal: max }
            steps_per_trial: 100
            keep_best: 0
            disk_quota_mb: 20
            on_collapse: continue
            """;
        var dir = CliProcess.NewDirectory();
        var sweepFile = CliProcess.WriteSpec(dir, quota, "sweep.yaml");
        var cluster = Path.Combine(dir, "cluster");
        Assert.Equal(0, CliProcess.Run(dir, "up", "--workers", "1", "--threads", "1", "--cluster", cluster).ExitCode);
        try
        {
            var submitted = CliProcess.Run(dir, "sweep", "submit", sweepFile, "--watch", "--cluster", cluster);
            var id = System.Text.RegularExpressions.Regex.Match(submitted.Output, @"submitted sweep (\S+)").Groups[1].Value;
            var trial = Assert.Single(Json(CliProcess.Run(dir, "sweep", "show", id, "--cluster", cluster, "--output", "json")).GetProperty("trials").EnumerateArray());
            Assert.Equal("RUN_STATE_FAILED", trial.GetProperty("state").GetString());
            var run = Json(CliProcess.Run(dir, "run", "show", trial.GetProperty("runId").GetString()!, "--cluster", cluster, "--output", "json"));
            Assert.Contains("disk quota of 20 MB (disk_quota_mb)", run.GetProperty("error").GetString());
            // The store holds the first checkpoint only, within the quota.
            var files = Directory.EnumerateFiles(Path.Combine(cluster, "store"), "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
            Assert.True(files <= 20L << 20, $"{files} bytes in the store");
            Assert.Single(Directory.GetFiles(Path.Combine(cluster, "store", trial.GetProperty("runId").GetString()!, "checkpoints"), "*.gck"));
            WaitUntil(() => Json(CliProcess.Run(dir, "workers", "list", "--cluster", cluster, "--output", "json")).GetProperty("workers").EnumerateArray()
                .All(w => !w.TryGetProperty("runId", out var r) || r.GetString()!.Length == 0), "the worker to be free");
        }
        finally
        {
            CliProcess.Run(dir, "down", "--cluster", cluster);
        }
    }

    [Fact]
    public void Cancelling_a_sweep_stops_every_trial_within_seconds_and_frees_every_worker()
    {
        var dir = CliProcess.NewDirectory();
        var sweepFile = CliProcess.WriteSpec(dir, Grid.Replace("steps: 200\n", "steps: 100000\n").Replace("steps_per_trial: 200", "steps_per_trial: 100000"), "sweep.yaml");
        var cluster = Path.Combine(dir, "cluster");
        Assert.Equal(0, CliProcess.Run(dir, "up", "--workers", "2", "--threads", "1", "--cluster", cluster).ExitCode);
        try
        {
            var id = Json(CliProcess.Run(dir, "sweep", "submit", sweepFile, "--cluster", cluster, "--output", "json")).GetProperty("id").GetString()!;
            JsonElement Show() => Json(CliProcess.Run(dir, "sweep", "show", id, "--cluster", cluster, "--output", "json"));
            WaitUntil(() => Show().GetProperty("trials").EnumerateArray().Count(t => t.GetProperty("state").GetString() == "RUN_STATE_RUNNING") == 2, "two trials running");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            Assert.Equal(0, CliProcess.Run(dir, "sweep", "cancel", id, "--cluster", cluster).ExitCode);
            WaitUntil(() => Show().GetProperty("trials").EnumerateArray().All(t => t.GetProperty("state").GetString() == "RUN_STATE_CANCELLED"), "every trial cancelled", TimeSpan.FromSeconds(30));
            WaitUntil(() => Json(CliProcess.Run(dir, "workers", "list", "--cluster", cluster, "--output", "json")).GetProperty("workers").EnumerateArray().All(w => w.GetProperty("runId").GetString() == ""),
                "both workers free", TimeSpan.FromSeconds(30));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
            var sweep = Show();
            Assert.Equal("SWEEP_STATE_CANCELLED", sweep.GetProperty("state").GetString());
            Assert.Equal(2, sweep.GetProperty("trials").GetArrayLength());
        }
        finally
        {
            CliProcess.Run(dir, "down", "--cluster", cluster);
        }
    }

    [Fact]
    public void A_worker_killed_mid_trial_is_restarted_by_up_and_its_trial_resumes_from_its_checkpoint_and_the_sweep_completes()
    {
        var dir = CliProcess.NewDirectory();
        var sweepFile = CliProcess.WriteSpec(dir, Grid
            .Replace("steps: 200\n", "steps: 3000\n").Replace("steps_per_trial: 200", "steps_per_trial: 3000")
            .Replace("checkpoint_every: 100", "checkpoint_every: 500").Replace("eval_every: 50", "eval_every: 500")
            .Replace("optimizers.d.lr: [5.0e-4, 2.0e-3]", "optimizers.d.lr: [5.0e-4]").Replace("seeds: [3, 4]", "seeds: [3]").Replace("max_trials: 8", "max_trials: 2"), "sweep.yaml");
        var cluster = Path.Combine(dir, "cluster");
        Assert.Equal(0, CliProcess.Run(dir, "up", "--workers", "2", "--threads", "1", "--cluster", cluster).ExitCode);
        try
        {
            var id = Json(CliProcess.Run(dir, "sweep", "submit", sweepFile, "--cluster", cluster, "--output", "json")).GetProperty("id").GetString()!;
            JsonElement Show() => Json(CliProcess.Run(dir, "sweep", "show", id, "--cluster", cluster, "--output", "json"));
            JsonElement Run(string runId) => Json(CliProcess.Run(dir, "run", "show", runId, "--cluster", cluster, "--output", "json"));
            string? victim = null;
            WaitUntil(() => (victim = Show().GetProperty("trials").EnumerateArray().Select(t => t.GetProperty("runId").GetString()!)
                .FirstOrDefault(r => Run(r).TryGetProperty("checkpoint", out var c) && c.ValueKind == JsonValueKind.Object && Run(r).GetProperty("state").GetString() == "RUN_STATE_RUNNING")) is not null,
                "a trial with a checkpoint, still running", TimeSpan.FromMinutes(2));
            var worker = Run(victim!).GetProperty("workers")[0].GetString()!;
            ClusterProcesses.Read(cluster).KillWorker(worker);
            WaitUntil(() => Run(victim!).GetProperty("events").EnumerateArray().Any(e => e.GetProperty("text").GetString()!.Contains("requeued")), "the trial to be requeued", TimeSpan.FromMinutes(1));
            var restart = CliProcess.Run(dir, "up", "--cluster", cluster);
            Assert.True(restart.ExitCode == 0, restart.ToString());
            WaitUntil(() => Show().GetProperty("state").GetString() != "SWEEP_STATE_RUNNING", "the sweep to end", TimeSpan.FromMinutes(4));
            var sweep = Show();
            Assert.Equal("SWEEP_STATE_COMPLETED", sweep.GetProperty("state").GetString());
            foreach (var trial in sweep.GetProperty("trials").EnumerateArray())
            {
                var runId = trial.GetProperty("runId").GetString()!;
                Assert.True(trial.GetProperty("state").GetString() == "RUN_STATE_COMPLETED",
                    $"{runId} (victim: {runId == victim}) ended {trial.GetProperty("state")}:\n" + string.Join("\n", Run(runId).GetProperty("events").EnumerateArray().Select(e => e.GetProperty("text").GetString())));
            }
            var history = Run(victim!).GetProperty("events").EnumerateArray().Select(e => e.GetProperty("text").GetString()!).ToList();
            Assert.Contains(history, t => t.Contains("resumed from") && t.Contains("checkpoints/step-"));
            // Every evaluation counted once, in order, across the two attempts.
            var curve = sweep.GetProperty("trials").EnumerateArray().First(t => t.GetProperty("runId").GetString() == victim)
                .GetProperty("curve").EnumerateArray().Select(p => long.Parse(p.GetProperty("step").GetString()!)).ToList();
            Assert.Equal([500L, 1000, 1500, 2000, 2500, 3000], curve);
        }
        finally
        {
            CliProcess.Run(dir, "down", "--cluster", cluster);
        }
    }
}
