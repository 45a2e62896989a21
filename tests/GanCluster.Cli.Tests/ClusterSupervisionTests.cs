using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using GanCluster.Cli.Cluster;
using GanCluster.Collective;
using GanCluster.Training.Checkpoints;
using static GanCluster.Cli.Tests.LocalClusterTests;

namespace GanCluster.Cli.Tests;

/// <summary>
/// The local cluster supervises itself (issue 13): `up` restarts dead workers as well as dead silos, two `up`s never
/// share a folder, and `up` and `down` trust a pid only while it is still the process they started.
/// </summary>
public sealed class ClusterSupervisionTests
{
    private const string ToyYaml = """
        name: supervised-toy
        seed: 4
        steps: 3000
        batch_size: 64
        threads: 1
        model: { name: toy, hidden: 32 }
        dataset: { kind: ring8 }
        ema: { decay: 0.9 }
        report_every: 50
        checkpoint_every: 500
        health: { eval_every: 0 }
        """;

    [Fact]
    public void A_worker_killed_during_a_two_rank_run_on_two_workers_is_restarted_by_up_and_the_run_ends_as_if_uninterrupted()
    {
        var dir = CliProcess.NewDirectory();
        var spec = CliProcess.WriteSpec(dir, ToyYaml);
        var cluster = Path.Combine(dir, "cluster");
        var up = CliProcess.Run(dir, "up", "--workers", "2", "--threads", "1", "--cluster", cluster);
        Assert.True(up.ExitCode == 0, up.ToString());
        try
        {
            var id = Json(CliProcess.Run(dir, "run", "submit", spec, "--world-size", "2", "--cluster", cluster, "--output", "json")).GetProperty("id").GetString()!;
            JsonElement Show() => Json(CliProcess.Run(dir, "run", "show", id, "--cluster", cluster, "--output", "json"));
            WaitUntil(() => Show().TryGetProperty("checkpoint", out var newest) && newest.ValueKind == JsonValueKind.Object, "a first checkpoint");
            var killed = Show().GetProperty("workers")[0].GetString()!;
            var before = ClusterProcesses.Read(cluster);
            before.KillWorker(killed);

            // One worker is left for a gang of two: the run is back in the queue, and would wait there for ever.
            WaitUntil(() => Show() is var shown && shown.GetProperty("state").GetString() == "RUN_STATE_PENDING"
                && shown.GetProperty("events").EnumerateArray().Any(e => e.GetProperty("text").GetString()!.Contains("requeued")), "the run to be requeued");
            var clock = Stopwatch.StartNew();
            var restart = CliProcess.Run(dir, "up", "--cluster", cluster);
            Assert.True(restart.ExitCode == 0, restart.ToString());
            Assert.Contains($"worker restarted ({killed} pid", restart.Output);
            var upTook = clock.Elapsed;

            // Same name, new pid and metrics port, both recorded where Prometheus and `down` look.
            var after = ClusterProcesses.Read(cluster);
            var index = int.Parse(killed["worker-".Length..]) - 1;
            Assert.NotEqual(before.WorkerPids[index], after.WorkerPids[index]);
            Assert.Equal(before.WorkerPids[1 - index], after.WorkerPids[1 - index]);
            var recorded = JsonNode.Parse(File.ReadAllText(Path.Combine(cluster, "cluster.json")))!["Workers"]![index]!;
            Assert.Equal(killed, recorded["Name"]!.GetValue<string>());
            Assert.Equal(1, recorded["Threads"]!.GetValue<int>());
            Assert.Contains($"127.0.0.1:{recorded["MetricsPort"]!.GetValue<int>()}", File.ReadAllText(Path.Combine(cluster, "prometheus", "targets.json")));

            WaitUntil(() => Show().GetProperty("state").GetString() is "RUN_STATE_COMPLETED" or "RUN_STATE_FAILED", "the run to end", TimeSpan.FromMinutes(3));
            var completedAfter = clock.Elapsed;
            var final = Show();
            Assert.Equal("RUN_STATE_COMPLETED", final.GetProperty("state").GetString());
            Assert.Contains(killed, final.GetProperty("workers").EnumerateArray().Select(w => w.GetString()));
            TestContext.Current.TestOutputHelper?.WriteLine($"`up` restarted {killed} in {upTook.TotalSeconds:0.0} s; the run completed {completedAfter.TotalSeconds:0.0} s after `up` began");

            var launcher = CliProcess.Run(dir, "train", spec, "--world-size", "2", "--out", "static");
            Assert.True(launcher.ExitCode == 0, launcher.ToString());
            var differences = CheckpointComparison.Compare(
                CheckpointFile.Read(final.GetProperty("checkpoint").GetProperty("path").GetString()!),
                CheckpointFile.Read(Path.Combine(dir, "static", "checkpoints", "step-00003000.gck")));
            Assert.Equal(["g", "d", "ema"], differences.Select(d => d.Network));
            Assert.All(differences, d => Assert.True(d.BitwiseIdentical, $"{d.Network}: max |Δ| {d.MaxAbsolute}"));
        }
        finally
        {
            CliProcess.Run(dir, "down", "--cluster", cluster);
        }
    }

    [Fact]
    public void Of_two_concurrent_ups_on_one_folder_exactly_one_starts_the_cluster_and_the_other_fails_at_once_naming_the_folder_and_the_holder()
    {
        var dir = CliProcess.NewDirectory();
        var cluster = Path.Combine(dir, "cluster");
        using var first = CliProcess.Start(dir, "up", "--workers", "1", "--threads", "1", "--cluster", cluster);
        using var second = CliProcess.Start(dir, "up", "--workers", "1", "--threads", "1", "--cluster", cluster);
        try
        {
            var results = new[] { first, second }.Select(p => (Process: p, Output: Task.WhenAll(p.StandardOutput.ReadToEndAsync(), p.StandardError.ReadToEndAsync()))).ToList();
            foreach (var (process, _) in results)
                Assert.True(process.WaitForExit(TimeSpan.FromMinutes(3)), "an up did not finish");
            var outcomes = results.Select(r => (r.Process.Id, r.Process.ExitCode, r.Process.ExitTime, Output: string.Concat(r.Output.Result))).ToList();
            var winner = Assert.Single(outcomes, o => o.ExitCode == ExitCodes.Success);
            var loser = Assert.Single(outcomes, o => o.ExitCode != ExitCodes.Success);
            Assert.Equal(ExitCodes.UsageError, loser.ExitCode);
            Assert.Contains($"the cluster in {cluster} is busy", loser.Output);
            Assert.True(loser.Output.Contains($"(pid {winner.Id})"), $"winner {winner.Id}, loser {loser.Id}: {loser.Output}");
            Assert.True(loser.ExitTime < winner.ExitTime, $"the loser waited: it ended at {loser.ExitTime:O}, the winner at {winner.ExitTime:O}");

            var info = ClusterProcesses.Read(cluster);
            Assert.Single(info.Silos);
            Assert.Single(info.WorkerPids);
            var workers = Json(CliProcess.Run(dir, "workers", "list", "--cluster", cluster, "--output", "json"));
            Assert.Equal(1, workers.GetProperty("workers").GetArrayLength());
        }
        finally
        {
            foreach (var p in new[] { first, second }.Where(p => !p.HasExited))
                p.Kill(entireProcessTree: true);
            CliProcess.Run(dir, "down", "--cluster", cluster);
        }
    }

    [Fact]
    public void A_pid_that_now_names_another_process_is_left_alone_by_down_and_counted_dead_by_up()
    {
        var dir = CliProcess.NewDirectory();
        var cluster = Path.Combine(dir, "cluster");
        // Two processes that took the pids of a silo and a worker: a stranger, and one that even runs a program of ours.
        using var stranger = Process.Start("sleep", ["600"]);
        using var lookalike = Process.Start("sh", ["-c", "sleep 600; :", Path.Combine(dir, ClusterBinaries.WorkerDll)]);
        try
        {
            // Until the child has exec'd, /proc shows the forking parent's command line (or none): wait for sh's.
            WaitUntil(() => string.Join(' ', ProcessIds.CommandLine(lookalike.Id)).Contains(ClusterBinaries.WorkerDll), "the lookalike to exec", TimeSpan.FromSeconds(10));
            void WriteClusterJson()
            {
                var ports = FreePorts.Take(5);
                // The silo as an older cluster.json names it, without a start time; the worker with one that is not its own.
                var silo = new JsonObject { ["Pid"] = stranger.Id, ["ApiPort"] = ports[0], ["SiloPort"] = ports[1], ["GatewayPort"] = ports[2], ["MetricsPort"] = ports[3] };
                var worker = new JsonObject { ["Pid"] = lookalike.Id, ["Name"] = "worker-1", ["MetricsPort"] = ports[4], ["StartTime"] = ProcessIds.StartTime(lookalike.Id)! - 1, ["Threads"] = 1 };
                Directory.CreateDirectory(cluster);
                File.WriteAllText(Path.Combine(cluster, "cluster.json"), new JsonObject
                {
                    ["TokenFile"] = Path.Combine(cluster, "state", "api-token"), ["Silos"] = new JsonArray(silo), ["Workers"] = new JsonArray(worker), ["PostgresFile"] = null,
                }.ToJsonString());
            }

            WriteClusterJson();
            var down = CliProcess.Run(dir, "down", "--cluster", cluster);
            Assert.True(down.ExitCode == 0, down.ToString());
            Assert.False(stranger.HasExited, "down signalled a process that reused a silo's pid");
            Assert.False(lookalike.HasExited, "down signalled a process that reused a worker's pid");
            Assert.Contains($"silo-1's pid {stranger.Id} now belongs to another process", down.Output);
            Assert.Contains($"worker-1's pid {lookalike.Id} now belongs to another process", down.Output);

            // `up` counts both as dead and starts a real silo and worker in their place, again leaving the strangers be.
            WriteClusterJson();
            var up = CliProcess.Run(dir, "up", "--cluster", cluster);
            Assert.True(up.ExitCode == 0, up.ToString());
            Assert.Contains("silo restarted (silo-1 pid", up.Output);
            Assert.Contains("worker restarted (worker-1 pid", up.Output);
            WaitUntil(() => Json(CliProcess.Run(dir, "workers", "list", "--cluster", cluster, "--output", "json")).GetProperty("workers").EnumerateArray()
                .Select(w => w.GetProperty("id").GetString()).SequenceEqual(["worker-1"]), "the restarted worker to join the restarted silo");
            var started = ClusterProcesses.Read(cluster);
            Assert.DoesNotContain(stranger.Id, started.Silos.Select(s => s.Pid).Concat(started.WorkerPids));
            Assert.DoesNotContain(lookalike.Id, started.Silos.Select(s => s.Pid).Concat(started.WorkerPids));
            down = CliProcess.Run(dir, "down", "--cluster", cluster);
            Assert.True(down.ExitCode == 0, down.ToString());
            Assert.All(started.Silos.Select(s => s.Pid).Concat(started.WorkerPids), pid => Assert.False(ProcessIds.Alive(pid), $"down left our pid {pid} running"));
            Assert.False(stranger.HasExited || lookalike.HasExited, "up or down signalled a process that reused a pid");
        }
        finally
        {
            stranger.Kill(entireProcessTree: true);
            lookalike.Kill(entireProcessTree: true);
            CliProcess.Run(dir, "down", "--cluster", cluster);
        }
    }
}
