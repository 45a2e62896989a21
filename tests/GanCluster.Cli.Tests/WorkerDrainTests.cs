using System.Text.Json;
using static GanCluster.Cli.Tests.LocalClusterTests;

namespace GanCluster.Cli.Tests;

/// <summary>
/// A worker stopped in good order ends its rank after the step and its run is requeued from the checkpoint, not
/// cancelled; the run then completes on workers started again. Both ways Kubernetes stops a pod: SIGTERM alone, and
/// the manifests' preStop hook (<c>--drain PORT</c>) followed by SIGTERM, after which the worker has left the scheduler.
/// </summary>
public sealed class WorkerDrainTests
{
    private const string Spec = """
        name: drain
        seed: 9
        steps: 6000
        batch_size: 64
        threads: 1
        model: { name: toy, hidden: 32 }
        dataset: { kind: ring8 }
        report_every: 50
        checkpoint_every: 300
        health: { eval_every: 0 }
        """;

    [Fact]
    public void A_worker_terminated_mid_run_requeues_its_run_from_the_checkpoint_instead_of_cancelling_it()
    {
        var dir = CliProcess.NewDirectory();
        var spec = CliProcess.WriteSpec(dir, Spec);
        var cluster = Path.Combine(dir, "cluster");
        Assert.Equal(0, CliProcess.Run(dir, "up", "--workers", "2", "--threads", "1", "--cluster", cluster).ExitCode);
        try
        {
            var id = Json(CliProcess.Run(dir, "run", "submit", spec, "--world-size", "2", "--cluster", cluster, "--output", "json")).GetProperty("id").GetString()!;
            JsonElement Show() => Json(CliProcess.Run(dir, "run", "show", id, "--cluster", cluster, "--output", "json"));
            List<string> History() => [.. Show().GetProperty("events").EnumerateArray().Select(e => e.GetProperty("text").GetString()!)];
            WaitUntil(() => Show() is var r && r.GetProperty("state").GetString() == "RUN_STATE_RUNNING" && r.TryGetProperty("checkpoint", out var c) && c.ValueKind == JsonValueKind.Object,
                "the run to train past a checkpoint", TimeSpan.FromMinutes(2));
            // SIGTERM alone (a `kill`, `gancluster down`, a pod without the hook).
            var first = Show().GetProperty("workers")[1].GetString()!;
            ClusterProcesses.Read(cluster).TerminateWorker(first);
            WaitUntil(() => History().Any(t => t.Contains($"worker {first} is shutting down", StringComparison.Ordinal) && t.Contains("requeued", StringComparison.Ordinal)),
                "the run to be requeued by the SIGTERM drain", TimeSpan.FromMinutes(1));
            Assert.True(CliProcess.Run(dir, "up", "--cluster", cluster).ExitCode == 0);
            WaitUntil(() => Show() is var r && r.GetProperty("state").GetString() == "RUN_STATE_RUNNING" && History().Count(t => t.Contains("resumed from", StringComparison.Ordinal)) >= 1,
                "the run to resume", TimeSpan.FromMinutes(2));

            // The preStop hook, then SIGTERM: the hook returns once the run is requeued and the worker has left.
            var second = Show().GetProperty("workers")[0].GetString()!;
            var port = ClusterProcesses.Read(cluster).WorkerMetricsPort(second);
            var hook = CliProcess.RunProgram("GanCluster.Worker", dir, "--drain", $"{port}");
            Assert.True(hook.ExitCode == 0, hook.ToString());
            Assert.Contains("drain: 200 drained", hook.Output);
            Assert.Contains(History(), t => t.Contains("its pod is stopping (preStop drain)", StringComparison.Ordinal) && t.Contains("requeued", StringComparison.Ordinal));
            WaitUntil(() => !CliProcess.Run(dir, "workers", "list", "--cluster", cluster, "--output", "json").Output.Contains($"\"{second}\"", StringComparison.Ordinal),
                "the drained worker to have left the scheduler", TimeSpan.FromSeconds(30));
            ClusterProcesses.Read(cluster).TerminateWorker(second);
            Assert.DoesNotContain(History(), t => t.StartsWith("cancelled", StringComparison.Ordinal));
            var restart = CliProcess.Run(dir, "up", "--cluster", cluster);
            Assert.True(restart.ExitCode == 0, restart.ToString());
            WaitUntil(() => Show().GetProperty("state").GetString() == "RUN_STATE_COMPLETED", "the run to complete", TimeSpan.FromMinutes(3));
            Assert.True(History().Count(t => t.Contains("resumed from", StringComparison.Ordinal) && t.Contains("checkpoints/step-", StringComparison.Ordinal)) >= 2);
        }
        finally
        {
            CliProcess.Run(dir, "down", "--cluster", cluster);
        }
    }
}
