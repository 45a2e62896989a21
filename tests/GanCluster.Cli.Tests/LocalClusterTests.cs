using System.Text.Json;
using GanCluster.Training.Checkpoints;

namespace GanCluster.Cli.Tests;

/// <summary>`gancluster up`: a real silo and real worker processes on loopback, driven through the CLI.</summary>
public sealed class LocalClusterTests
{
    private const string ToyYaml = """
        name: cluster-toy
        seed: 4
        steps: 200
        batch_size: 64
        threads: 1
        model: { name: toy, hidden: 32 }
        dataset: { kind: ring8 }
        ema: { decay: 0.9 }
        report_every: 50
        checkpoint_every: 100
        health: { eval_every: 0 }
        """;

    [Fact]
    public void A_two_rank_run_on_a_three_worker_cluster_completes_with_the_static_launchers_parameters()
    {
        var dir = CliProcess.NewDirectory();
        var spec = CliProcess.WriteSpec(dir, ToyYaml);
        var cluster = Path.Combine(dir, "cluster");
        var up = CliProcess.Run(dir, "up", "--workers", "3", "--threads", "1", "--cluster", cluster);
        Assert.True(up.ExitCode == 0, up.ToString());
        try
        {
            var workers = Json(CliProcess.Run(dir, "workers", "list", "--cluster", cluster, "--output", "json"));
            Assert.Equal(3, workers.GetProperty("workers").GetArrayLength());

            var run = CliProcess.Run(dir, "run", "submit", spec, "--world-size", "2", "--watch", "--cluster", cluster);
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains("Completed step 200/200", run.Output);
            var id = run.Output.Split('\n').First(l => l.StartsWith("submitted ", StringComparison.Ordinal)).Split(' ')[1];
            var shown = Json(CliProcess.Run(dir, "run", "show", id, "--cluster", cluster, "--output", "json"));
            Assert.Equal("RUN_STATE_COMPLETED", shown.GetProperty("state").GetString());
            Assert.Equal(2, shown.GetProperty("workers").GetArrayLength());
            var newest = shown.GetProperty("checkpoint");
            var checkpoint = newest.GetProperty("path").GetString()!;
            Assert.EndsWith("step-00000200.gck", checkpoint);
            Assert.Equal("200", newest.GetProperty("step").GetString());
            Assert.Equal(CheckpointFile.Read(checkpoint).Sha256, newest.GetProperty("sha256").GetString());

            var launcher = CliProcess.Run(dir, "train", spec, "--world-size", "2", "--out", "static");
            Assert.True(launcher.ExitCode == 0, launcher.ToString());
            var differences = CheckpointComparison.Compare(CheckpointFile.Read(checkpoint), CheckpointFile.Read(Path.Combine(dir, "static", "checkpoints", "step-00000200.gck")));
            Assert.Equal(["g", "d", "ema"], differences.Select(d => d.Network));
            Assert.All(differences, d => Assert.True(d.BitwiseIdentical, $"{d.Network}: max |Δ| {d.MaxAbsolute}"));

            // The workers are free again: all three idle.
            var after = Json(CliProcess.Run(dir, "workers", "list", "--cluster", cluster, "--output", "json"));
            Assert.All(after.GetProperty("workers").EnumerateArray(), w => Assert.Equal("", w.GetProperty("runId").GetString()));
        }
        finally
        {
            var down = CliProcess.Run(dir, "down", "--cluster", cluster);
            Assert.True(down.ExitCode == 0, down.ToString());
        }
    }

    [Fact]
    public void A_killed_worker_costs_at_most_one_checkpoint_interval_and_the_run_ends_as_if_uninterrupted()
    {
        var dir = CliProcess.NewDirectory();
        var spec = CliProcess.WriteSpec(dir, ToyYaml.Replace("steps: 200", "steps: 3000").Replace("checkpoint_every: 100", "checkpoint_every: 500"));
        var cluster = Path.Combine(dir, "cluster");
        var up = CliProcess.Run(dir, "up", "--workers", "3", "--threads", "1", "--cluster", cluster);
        Assert.True(up.ExitCode == 0, up.ToString());
        try
        {
            var id = Json(CliProcess.Run(dir, "run", "submit", spec, "--world-size", "2", "--cluster", cluster, "--output", "json")).GetProperty("id").GetString()!;
            JsonElement Show() => Json(CliProcess.Run(dir, "run", "show", id, "--cluster", cluster, "--output", "json"));
            WaitUntil(() => Show().TryGetProperty("checkpoint", out var newest) && newest.ValueKind == JsonValueKind.Object, "a first checkpoint");
            var before = Show();
            var rankZero = before.GetProperty("workers")[0].GetString()!;
            var stepAtKill = long.Parse(before.GetProperty("step").GetString()!);
            ClusterProcesses.Read(cluster).KillWorker(rankZero);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            WaitUntil(() => Show().GetProperty("state").GetString() is "RUN_STATE_RUNNING" && clock.Elapsed > TimeSpan.FromSeconds(1)
                && Show().GetProperty("events").EnumerateArray().Any(e => e.GetProperty("text").GetString()!.Contains("requeued")), "the run to be requeued and running again");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"resumed after {clock.Elapsed}");
            WaitUntil(() => Show().GetProperty("state").GetString() is "RUN_STATE_COMPLETED" or "RUN_STATE_FAILED", "the run to end", TimeSpan.FromMinutes(3));
            var after = Show();
            Assert.Equal("RUN_STATE_COMPLETED", after.GetProperty("state").GetString());
            var texts = after.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("text").GetString()!).ToList();
            var resumedFrom = texts.First(t => t.Contains("requeued"));
            // A transient failure is retried after a backoff, and the history says which attempt of how many.
            Assert.Contains("requeued: attempt 2 of 5 after 1 s of backoff", resumedFrom);
            var resumedStep = long.Parse(System.Text.RegularExpressions.Regex.Match(resumedFrom, @"step-(\d+)\.gck").Groups[1].Value);
            Assert.True(stepAtKill - resumedStep <= 500, $"killed near step {stepAtKill}, resumed from {resumedStep}: more than one checkpoint interval lost");
            Assert.DoesNotContain(rankZero, after.GetProperty("workers").EnumerateArray().Select(w => w.GetString()));

            var launcher = CliProcess.Run(dir, "train", spec, "--world-size", "2", "--out", "static");
            Assert.True(launcher.ExitCode == 0, launcher.ToString());
            var differences = CheckpointComparison.Compare(
                CheckpointFile.Read(after.GetProperty("checkpoint").GetProperty("path").GetString()!),
                CheckpointFile.Read(Path.Combine(dir, "static", "checkpoints", "step-00003000.gck")));
            Assert.All(differences, d => Assert.True(d.BitwiseIdentical, $"{d.Network}: max |Δ| {d.MaxAbsolute}"));
        }
        finally
        {
            CliProcess.Run(dir, "down", "--cluster", cluster);
        }
    }

    [Fact]
    public void A_killed_and_restarted_silo_keeps_runs_and_history_and_running_work_goes_on()
    {
        var dir = CliProcess.NewDirectory();
        var spec = CliProcess.WriteSpec(dir, ToyYaml.Replace("steps: 200", "steps: 2500").Replace("checkpoint_every: 100", "checkpoint_every: 500"));
        var cluster = Path.Combine(dir, "cluster");
        Assert.Equal(0, CliProcess.Run(dir, "up", "--workers", "1", "--threads", "1", "--cluster", cluster).ExitCode);
        try
        {
            var id = Json(CliProcess.Run(dir, "run", "submit", spec, "--cluster", cluster, "--output", "json")).GetProperty("id").GetString()!;
            JsonElement Show() => Json(CliProcess.Run(dir, "run", "show", id, "--cluster", cluster, "--output", "json"));
            WaitUntil(() => Show().GetProperty("state").GetString() == "RUN_STATE_RUNNING" && long.Parse(Show().GetProperty("step").GetString()!) > 0, "the run to make progress");
            var eventsBefore = Show().GetProperty("events").GetArrayLength();
            ClusterProcesses.Read(cluster).KillSilo(0);
            var down = CliProcess.Run(dir, "run", "list", "--cluster", cluster);
            Assert.Equal(ExitCodes.ClusterError, down.ExitCode);

            var restart = CliProcess.Run(dir, "up", "--cluster", cluster);
            Assert.True(restart.ExitCode == 0, restart.ToString());
            Assert.Contains("silo restarted", restart.Output);
            WaitUntil(() => Show().GetProperty("state").GetString() is "RUN_STATE_COMPLETED" or "RUN_STATE_FAILED" or "RUN_STATE_PENDING", "the run to end", TimeSpan.FromMinutes(2));
            var after = Show();
            Assert.Equal("RUN_STATE_COMPLETED", after.GetProperty("state").GetString());
            var texts = after.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("text").GetString()!).ToList();
            Assert.True(texts.Count >= eventsBefore, "history lost");
            Assert.StartsWith("submitted", texts[0]);
            // The same attempt went on: no requeue, and the worker finished it.
            Assert.DoesNotContain(texts, t => t.Contains("requeued"));
            Assert.EndsWith("step-00002500.gck", after.GetProperty("checkpoint").GetProperty("path").GetString());
        }
        finally
        {
            CliProcess.Run(dir, "down", "--cluster", cluster);
        }
    }

    [Fact]
    public void A_run_whose_worker_died_with_the_silo_is_requeued_after_up_restarts_both_and_completes()
    {
        var dir = CliProcess.NewDirectory();
        // Enough steps that the run is still training when its worker is killed (at 2,500 a fast toy once finished first).
        var spec = CliProcess.WriteSpec(dir, ToyYaml.Replace("steps: 200", "steps: 6000").Replace("checkpoint_every: 100", "checkpoint_every: 500"));
        var cluster = Path.Combine(dir, "cluster");
        Assert.Equal(0, CliProcess.Run(dir, "up", "--workers", "2", "--threads", "1", "--cluster", cluster).ExitCode);
        try
        {
            var id = Json(CliProcess.Run(dir, "run", "submit", spec, "--cluster", cluster, "--output", "json")).GetProperty("id").GetString()!;
            JsonElement Show() => Json(CliProcess.Run(dir, "run", "show", id, "--cluster", cluster, "--output", "json"));
            WaitUntil(() => Show().TryGetProperty("checkpoint", out var newest) && newest.ValueKind == JsonValueKind.Object, "a first checkpoint");
            var worker = Show().GetProperty("workers")[0].GetString()!;
            // The silo and the worker training the run die together (one machine lost, say).
            var processes = ClusterProcesses.Read(cluster);
            processes.KillSilo(0);
            processes.KillWorker(worker);
            var restart = CliProcess.Run(dir, "up", "--cluster", cluster);
            Assert.True(restart.ExitCode == 0, restart.ToString());
            Assert.Contains("silo restarted", restart.Output);
            Assert.Contains($"worker restarted ({worker} pid", restart.Output);
            // The restarted scheduler's audit finds the run Running on a worker it does not hold, and requeues it.
            WaitUntil(() => Show().GetProperty("state").GetString() is "RUN_STATE_COMPLETED" or "RUN_STATE_FAILED", "the run to end", TimeSpan.FromMinutes(2));
            var after = Show();
            Assert.Equal("RUN_STATE_COMPLETED", after.GetProperty("state").GetString());
            var texts = after.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("text").GetString()!).ToList();
            Assert.Contains(texts, t => t.Contains("no longer held by the scheduler"));
        }
        finally
        {
            CliProcess.Run(dir, "down", "--cluster", cluster);
        }
    }

    [Fact]
    public void A_run_that_diverges_is_marked_Diverged_and_keeps_its_last_good_checkpoint()
    {
        var dir = CliProcess.NewDirectory();
        var spec = CliProcess.WriteSpec(dir, ToyYaml.Replace("steps: 200", "steps: 400").Replace("checkpoint_every: 100", "checkpoint_every: 1")
            + "\noptimizers:\n  g: { kind: sgd, lr: 10.0 }\n  d: { kind: sgd, lr: 10.0 }\n");
        var cluster = Path.Combine(dir, "cluster");
        Assert.Equal(0, CliProcess.Run(dir, "up", "--workers", "1", "--threads", "1", "--cluster", cluster).ExitCode);
        try
        {
            var run = CliProcess.Run(dir, "run", "submit", spec, "--watch", "--cluster", cluster);
            Assert.Equal(ExitCodes.Diverged, run.ExitCode);
            var id = run.Output.Split('\n').First(l => l.StartsWith("submitted ", StringComparison.Ordinal)).Split(' ')[1];
            var shown = Json(CliProcess.Run(dir, "run", "show", id, "--cluster", cluster, "--output", "json"));
            Assert.Equal("RUN_STATE_DIVERGED", shown.GetProperty("state").GetString());
            var last = shown.GetProperty("checkpoint").GetProperty("path").GetString()!;
            var checkpoint = CheckpointFile.Read(last);
            Assert.True(checkpoint.Step < 400);
            Assert.All(checkpoint.Entries.Where(e => e.DType == "Float32"), e =>
                Assert.All(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(e.Data).ToArray(), v => Assert.True(float.IsFinite(v), e.Name)));
        }
        finally
        {
            CliProcess.Run(dir, "down", "--cluster", cluster);
        }
    }

    [Fact]
    public void A_collapsed_verdict_is_flagged_or_stops_the_run_as_the_spec_says()
    {
        var dir = CliProcess.NewDirectory();
        // From the collapse corpus: five D steps at a high D rate collapse ring8 by the first evaluation in every seed.
        var spec = CliProcess.WriteSpec(dir, """
            name: collapsing
            seed: 1
            steps: 600
            batch_size: 128
            threads: 1
            d_steps: 5
            model: { name: toy, hidden: 64 }
            dataset: { kind: ring8 }
            optimizers:
              d: { kind: adam, lr: 3.0e-3, betas: [0.5, 0.999] }
            report_every: 50
            health: { eval_every: 250, eval_samples: 1000 }
            """);
        var cluster = Path.Combine(dir, "cluster");
        Assert.Equal(0, CliProcess.Run(dir, "up", "--workers", "1", "--threads", "1", "--cluster", cluster).ExitCode);
        try
        {
            var flagged = CliProcess.Run(dir, "run", "submit", spec, "--watch", "--cluster", cluster);
            Assert.True(flagged.ExitCode == 0, flagged.ToString());
            Assert.Contains("flagged: collapsed verdict", flagged.Output);
            Assert.Contains("Completed step 600/600", flagged.Output);

            var stopped = CliProcess.Run(dir, "run", "submit", spec, "--set", "health.on_collapse=stop", "--set", "steps=100000", "--watch", "--cluster", cluster);
            Assert.Equal(ExitCodes.RunFailed, stopped.ExitCode);
            Assert.Contains("stopped (health.on_collapse: stop)", stopped.Output);
            var id = stopped.Output.Split('\n').First(l => l.StartsWith("submitted ", StringComparison.Ordinal)).Split(' ')[1];
            var shown = Json(CliProcess.Run(dir, "run", "show", id, "--cluster", cluster, "--output", "json"));
            Assert.Equal("RUN_STATE_COLLAPSED", shown.GetProperty("state").GetString());
            Assert.True(long.Parse(shown.GetProperty("step").GetString()!) < 100000);
            WaitUntil(() => Json(CliProcess.Run(dir, "workers", "list", "--cluster", cluster, "--output", "json")).GetProperty("workers")[0].GetProperty("runId").GetString() == "", "the worker to be freed");
        }
        finally
        {
            CliProcess.Run(dir, "down", "--cluster", cluster);
        }
    }

    [Fact]
    public void Cancelling_a_run_stops_its_worker_within_seconds_and_frees_it()
    {
        var dir = CliProcess.NewDirectory();
        var spec = CliProcess.WriteSpec(dir, ToyYaml.Replace("steps: 200", "steps: 10000000").Replace("checkpoint_every: 100", "checkpoint_every: 0"));
        var cluster = Path.Combine(dir, "cluster");
        var up = CliProcess.Run(dir, "up", "--workers", "1", "--threads", "1", "--cluster", cluster);
        Assert.True(up.ExitCode == 0, up.ToString());
        try
        {
            var id = Json(CliProcess.Run(dir, "run", "submit", spec, "--cluster", cluster, "--output", "json")).GetProperty("id").GetString()!;
            WaitUntil(() => Json(CliProcess.Run(dir, "run", "show", id, "--cluster", cluster, "--output", "json")).GetProperty("step").GetString() is { } step && long.Parse(step) > 0, "the run to make progress");
            var cancel = CliProcess.Run(dir, "run", "cancel", id, "--cluster", cluster);
            Assert.True(cancel.ExitCode == 0, cancel.ToString());
            var clock = System.Diagnostics.Stopwatch.StartNew();
            WaitUntil(() => Json(CliProcess.Run(dir, "workers", "list", "--cluster", cluster, "--output", "json")).GetProperty("workers")[0].GetProperty("runId").GetString() == "", "the worker to be freed");
            // The worker logs compact JSON: the outcome is a property of the event, with the run it belongs to.
            WaitUntil(() => File.ReadLines(Path.Combine(cluster, "logs", "worker-1.log"))
                .Any(line => line.Contains($"\"Run\":\"{id}\"", StringComparison.Ordinal) && line.Contains("\"Outcome\":\"Cancelled\"", StringComparison.Ordinal)), "the worker to stop training");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"stopping took {clock.Elapsed}");
            Assert.Equal("RUN_STATE_CANCELLED", Json(CliProcess.Run(dir, "run", "show", id, "--cluster", cluster, "--output", "json")).GetProperty("state").GetString());
        }
        finally
        {
            CliProcess.Run(dir, "down", "--cluster", cluster);
        }
    }

    [Fact]
    public void A_malformed_spec_is_refused_by_the_cluster_with_its_field_path()
    {
        var dir = CliProcess.NewDirectory();
        var spec = CliProcess.WriteSpec(dir, ToyYaml.Replace("batch_size: 64", "batch_size: sixty-four"));
        var cluster = Path.Combine(dir, "cluster");
        Assert.Equal(0, CliProcess.Run(dir, "up", "--workers", "0", "--cluster", cluster).ExitCode);
        try
        {
            var run = CliProcess.Run(dir, "run", "submit", spec, "--cluster", cluster);
            Assert.Equal(ExitCodes.UsageError, run.ExitCode);
            Assert.Contains("field 'batch_size'", run.Output);
        }
        finally
        {
            CliProcess.Run(dir, "down", "--cluster", cluster);
        }
        var noCluster = CliProcess.Run(dir, "run", "list", "--cluster", Path.Combine(dir, "nothing-here"));
        Assert.Equal(ExitCodes.UsageError, noCluster.ExitCode);
        Assert.Contains("gancluster up", noCluster.Output);
    }

    [Fact]
    public void The_demo_trains_every_example_on_a_local_cluster_and_leaves_plots_and_a_summary()
    {
        var dir = CliProcess.NewDirectory();
        var digits = CliProcess.WriteDigits(dir, 300);
        var demo = CliProcess.Run(dir, "demo", "--steps", "100", "--mnist", digits, "--cluster", Path.Combine(dir, "cluster"));
        Assert.True(demo.ExitCode == 0, demo.ToString());
        var summary = File.ReadAllText(Path.Combine(dir, "runs", "demo", "summary.md"));
        foreach (var run in new[] { "ring8", "grid25", "mnist-mlp" })
        {
            Assert.Matches($@"\| {run} \| \S+ \| Completed \| 100/100 \|", summary);
            Assert.True(new FileInfo(Path.Combine(dir, "runs", "demo", run + ".png")).Length > 1000, $"{run}.png missing or empty");
        }
        // Its short ASHA sweep ran on the same workers, ranked its configurations and left its plot.
        Assert.Matches(@"## Sweep demo-asha-\S+ \(asha, max high_quality_fraction\): Completed", summary);
        Assert.Matches(@"\| 1 \| (hinge|non-saturating) \|", summary);
        Assert.True(new FileInfo(Path.Combine(dir, "runs", "demo", "sweep.png")).Length > 10_000, "sweep.png missing or empty");
        // The demo started the cluster, so it stopped it too.
        Assert.False(File.Exists(Path.Combine(dir, "cluster", "cluster.json")));
    }

    internal static JsonElement Json(CliProcess.Result result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        return JsonDocument.Parse(result.Output).RootElement.Clone();
    }

    internal static void WaitUntil(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > (timeout ?? TimeSpan.FromSeconds(60)))
                Assert.Fail($"timed out waiting for {what}");
            Thread.Sleep(200);
        }
    }
}
