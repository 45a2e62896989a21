using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using GanCluster.Training.Checkpoints;

namespace GanCluster.Cli.Tests;

/// <summary><c>train --world-size N</c>: real worker processes in a gRPC ring on loopback.</summary>
public sealed class DataParallelTests
{
    private const string MlpYaml = """
        name: dp-mlp
        seed: 5
        steps: 50
        batch_size: 48
        threads: 1
        model: { name: mlp, hidden: 32 }
        dataset: { kind: idx, path: digits }
        labels: { real_target: 0.9 }
        ema: { decay: 0.9 }
        report_every: 10
        checkpoint_every: 50
        health: { eval_every: 0 }
        """;

    private const string ToyYaml = """
        name: dp-toy
        seed: 3
        steps: 40
        batch_size: 64
        threads: 1
        model: { name: toy, hidden: 32 }
        dataset: { kind: ring8 }
        ema: { decay: 0.9 }
        report_every: 10
        checkpoint_every: 20
        keep_checkpoints: 10
        health: { eval_every: 0 }
        """;

    [Fact]
    public void Three_ranks_end_50_steps_with_bitwise_identical_parameters()
    {
        var (dir, spec) = MlpRun();
        TrainInRing(dir, spec, 3, "dp");
        // Rank 0 alone writes the run's files.
        Assert.True(File.Exists(Path.Combine(dir, "dp", "checkpoints", "step-00000050.gck")));
        Assert.Equal(5, File.ReadAllLines(Path.Combine(dir, "dp", "metrics.jsonl")).Length);
    }

    [Fact]
    public void Bf16_gradients_keep_the_ranks_bitwise_identical_and_near_the_exact_run()
    {
        var (dir, spec) = MlpRun();
        TrainInRing(dir, spec, 2, "exact");
        TrainInRing(dir, spec, 2, "bf16", "--set", "data_parallel.compression=bf16");

        var a = CheckpointFile.Read(Path.Combine(dir, "bf16", "checkpoints", "step-00000050.gck"));
        var b = CheckpointFile.Read(Path.Combine(dir, "exact", "checkpoints", "step-00000050.gck"));
        foreach (var network in new[] { "g", "d" })
        {
            // bfloat16 keeps 8 bits of each gradient: the runs part, but only by that much after 50 Adam steps.
            var difference = RelativeParameterDifference(a, b, network);
            Assert.True(difference is > 0 and <= 2e-2, $"{network}: relative parameter difference {difference:E2} between bf16 and exact gradients");
        }
    }

    [Fact]
    public void Gradients_reduced_in_buckets_during_backward_end_with_the_bits_of_reducing_after_it()
    {
        var (dir, spec) = MlpRun();
        TrainInRing(dir, spec, 2, "after", "--set", "data_parallel.overlap=false");
        TrainInRing(dir, spec, 2, "buckets", "--set", "data_parallel.bucket_mb=0.001");

        // Two ranks add in either order to the same bits, so buckets change nothing unless one left before its gradients were final.
        Assert.Equal(DigestOf(Path.Combine(dir, "after", "rank-0.log")), DigestOf(Path.Combine(dir, "buckets", "rank-0.log")));
        var log = File.ReadAllText(Path.Combine(dir, "buckets", "rank-1.log"));
        Assert.Contains("gradients on the ring: G: 3 buckets; D: 2 buckets", log);
        // 50 steps: every tap released its bucket during backward, one bucket a backward was left for the end.
        Assert.Contains("gradient buckets: G: 100 of 150 reduced during backward; D: 50 of 100 reduced during backward", log);
        Assert.Contains("gradients on the ring: after backward (overlap off)", File.ReadAllText(Path.Combine(dir, "after", "rank-1.log")));
    }

    [Fact]
    public void Bf16_buckets_on_three_ranks_keep_the_ranks_bitwise_identical()
    {
        var (dir, spec) = MlpRun();
        // Each bucket is a ring of its own, owned segment by segment by other ranks than the whole buffer's.
        TrainInRing(dir, spec, 3, "bf16-buckets", "--set", "data_parallel.compression=bf16", "--set", "data_parallel.bucket_mb=0.001");
        Assert.Contains("gradient buckets: G: 100 of 150 reduced during backward", File.ReadAllText(Path.Combine(dir, "bf16-buckets", "rank-2.log")));
    }

    [Theory]
    [InlineData("mlp", 3, false)]
    // Small buckets on 3 ranks: each bucket is its own ring, summed in another order than the whole buffer's.
    [InlineData("mlp-buckets", 3, false)]
    [InlineData("dcgan28", 2, true)]
    // The anti-collapse techniques (issue 16): packs, minibatch statistics and distances per rank's shard, spectral norm's power iteration per step.
    [InlineData("mlp-anti-collapse", 2, true)]
    // DiffAugment: each rank draws its rows' shifts, cutouts and colours from the global batch's draws.
    [InlineData("mlp-augment", 2, false)]
    public void N_ranks_follow_the_single_process_trajectory_on_the_same_global_batch(string model, int ranks, bool emulatePerRankStatistics)
    {
        var dir = CliProcess.NewDirectory();
        CliProcess.WriteDigits(dir, 200);
        var modelLine = model switch
        {
            "mlp" => "model: { name: mlp, hidden: 32 }",
            "mlp-buckets" => "model: { name: mlp, hidden: 32 }\ndata_parallel: { bucket_mb: 0.001 }",
            "mlp-anti-collapse" => "model: { name: mlp, hidden: 32, pack: 2, minibatch_stddev: 4, minibatch_discrimination: { kernels: 8, dims: 4 }, spectral_norm: true }",
            "mlp-augment" => "model: { name: mlp, hidden: 32 }\naugment: { translation: 0.125, cutout: 0.5, color: true }",
            _ => "model: { name: dcgan28 }",
        };
        var yaml = MlpYaml.Replace("steps: 50", "steps: 100").Replace("checkpoint_every: 50", "checkpoint_every: 100")
            .Replace("model: { name: mlp, hidden: 32 }", modelLine)
            .Replace("batch_size: 48", $"batch_size: {(model.StartsWith("mlp", StringComparison.Ordinal) ? 48 : 16)}")
            + "\noptimizers:\n  g: { kind: adam, lr: 2.0e-4, betas: [0.5, 0.999] }\n  d: { kind: adam, lr: 2.0e-4, betas: [0.5, 0.999] }\n";
        var spec = CliProcess.WriteSpec(dir, yaml);
        var parallel = CliProcess.Run(dir, "train", spec, "--world-size", ranks.ToString(), "--out", "parallel");
        Assert.True(parallel.ExitCode == 0, parallel.ToString());
        // BatchNorm normalises over each rank's rows: one process reproduces that with one micro-batch per rank.
        var single = emulatePerRankStatistics
            ? CliProcess.Run(dir, "train", spec, "--out", "single", "--set", $"micro_batches={ranks}")
            : CliProcess.Run(dir, "train", spec, "--out", "single");
        Assert.True(single.ExitCode == 0, single.ToString());

        var a = CheckpointFile.Read(Path.Combine(dir, "parallel", "checkpoints", "step-00000100.gck"));
        var b = CheckpointFile.Read(Path.Combine(dir, "single", "checkpoints", "step-00000100.gck"));
        foreach (var network in new[] { "g", "d" })
        {
            var difference = RelativeParameterDifference(a, b, network);
            Assert.True(difference <= 1e-4, $"{network}: relative parameter difference {difference:E2} after 100 steps");
        }
        var lossesA = Losses(Path.Combine(dir, "parallel", "metrics.jsonl"));
        var lossesB = Losses(Path.Combine(dir, "single", "metrics.jsonl"));
        Assert.Equal(lossesB.Count, lossesA.Count);
        for (var i = 0; i < lossesA.Count; i++)
            foreach (var (x, y) in new[] { (lossesA[i].D, lossesB[i].D), (lossesA[i].G, lossesB[i].G) })
                Assert.True(Math.Abs(x - y) <= 1e-4 * Math.Abs(y), $"report {i}: loss {x} vs {y}");
    }

    [Fact]
    public void Killing_one_rank_stops_the_others_within_10_seconds_naming_it_and_the_step()
    {
        var (dir, launcher, pids) = StartLongRun();
        using (launcher)
        {
            var clock = Stopwatch.StartNew();
            Process.GetProcessById(pids[1]).Kill();
            Assert.True(launcher.WaitForExit(TimeSpan.FromSeconds(10)), "the launcher and its ranks did not stop within 10 s of SIGKILL");
            var output = launcher.StandardOutput.ReadToEnd() + launcher.StandardError.ReadToEnd();
            Assert.NotEqual(0, launcher.ExitCode);
            foreach (var survivor in new[] { 0, 2 })
            {
                var log = File.ReadAllText(Path.Combine(dir, "dp", $"rank-{survivor}.log"));
                Assert.Contains("error (peer lost)", log);
                Assert.Matches(@"rank 1 \(127\.0\.0\.1:\d+\)", log);
                Assert.Matches(@"step \d+", log);
            }
            Assert.Contains("rank 1", output);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"{clock.Elapsed}");
        }
    }

    [Fact]
    public void A_hung_rank_is_detected_by_its_silence_and_the_others_stop_within_10_seconds()
    {
        var (dir, launcher, pids) = StartLongRun();
        using (launcher)
        {
            try
            {
                var clock = Stopwatch.StartNew();
                Signal(pids[1], 19); // SIGSTOP: the process and its heartbeats freeze, its sockets stay open.
                foreach (var survivor in new[] { 0, 2 })
                    Assert.True(WaitForExit(pids[survivor], TimeSpan.FromSeconds(10) - clock.Elapsed), $"rank {survivor} still runs {clock.Elapsed} after rank 1 hung");
                var log = File.ReadAllText(Path.Combine(dir, "dp", "rank-2.log"));
                Assert.Matches(@"rank 1 \(127\.0\.0\.1:\d+\) sent nothing for \d+\.\d s during step \d+", log);
                Assert.Contains("rank 1", File.ReadAllText(Path.Combine(dir, "dp", "rank-0.log")));
            }
            finally
            {
                Signal(pids[1], 9);
                launcher.WaitForExit(TimeSpan.FromSeconds(30));
            }
        }
    }

    [Fact]
    public void Resume_on_two_ranks_continues_the_exact_trajectory()
    {
        var dir = CliProcess.NewDirectory();
        var spec = CliProcess.WriteSpec(dir, ToyYaml);
        var straight = CliProcess.Run(dir, "train", spec, "--world-size", "2", "--out", "straight");
        Assert.True(straight.ExitCode == 0, straight.ToString());
        var resumed = CliProcess.Run(dir, "train", spec, "--world-size", "2", "--out", "resumed", "--resume", Path.Combine(dir, "straight", "checkpoints", "step-00000020.gck"));
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("resuming at step 20", resumed.Output);
        var differences = CheckpointComparison.Compare(
            CheckpointFile.Read(Path.Combine(dir, "straight", "checkpoints", "step-00000040.gck")),
            CheckpointFile.Read(Path.Combine(dir, "resumed", "checkpoints", "step-00000040.gck")));
        Assert.Equal(["g", "d", "ema"], differences.Select(d => d.Network));
        Assert.All(differences, d => Assert.True(d.BitwiseIdentical, $"{d.Network}: max |Δ| {d.MaxAbsolute}"));
    }

    [Fact]
    public void A_batch_that_does_not_split_over_the_ranks_is_refused_before_anything_starts()
    {
        var dir = CliProcess.NewDirectory();
        var spec = CliProcess.WriteSpec(dir, ToyYaml);
        var run = CliProcess.Run(dir, "train", spec, "--world-size", "3", "--out", "dp");
        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("field 'batch_size': expected a multiple of 3 rank(s) × 1 micro-batch(es) = 3, found 64", run.Output);
        Assert.False(Directory.Exists(Path.Combine(dir, "dp")));
    }

    /// <summary>A 3-rank toy run far too long to finish, started and waited on until every rank is training.</summary>
    private static (string Dir, Process Launcher, int[] Pids) StartLongRun()
    {
        var dir = CliProcess.NewDirectory();
        var spec = CliProcess.WriteSpec(dir, ToyYaml.Replace("steps: 40", "steps: 10000000").Replace("batch_size: 64", "batch_size: 48").Replace("checkpoint_every: 20", "checkpoint_every: 0"));
        var launcher = CliProcess.Start(dir, "train", spec, "--world-size", "3", "--out", "dp");
        var deadline = Stopwatch.StartNew();
        var logs = Enumerable.Range(0, 3).Select(r => Path.Combine(dir, "dp", $"rank-{r}.log")).ToArray();
        while (!logs.All(l => File.Exists(l) && File.ReadAllText(l).Contains("step 20/")))
        {
            if (launcher.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(90))
                Assert.Fail($"the ranks did not start training (exit {(launcher.HasExited ? launcher.ExitCode : -1)}): {launcher.StandardOutput.ReadToEnd()}");
            Thread.Sleep(100);
        }
        using var ranks = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "dp", "ranks.json")));
        var pids = ranks.RootElement.EnumerateArray().OrderBy(e => e.GetProperty("rank").GetInt32()).Select(e => e.GetProperty("pid").GetInt32()).ToArray();
        return (dir, launcher, pids);
    }

    private static bool WaitForExit(int pid, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (!Directory.Exists($"/proc/{pid}") || File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2] == "Z")
                return true;
            Thread.Sleep(50);
        }
        return false;
    }

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int Signal(int pid, int signal);

    /// <summary>A test folder with 200 digits and the MLP spec.</summary>
    private static (string Dir, string Spec) MlpRun()
    {
        var dir = CliProcess.NewDirectory();
        CliProcess.WriteDigits(dir, 200);
        return (dir, CliProcess.WriteSpec(dir, MlpYaml));
    }

    /// <summary>Trains <paramref name="spec"/> on a ring of <paramref name="ranks"/> into OUT; every rank must end with the same parameter digest.</summary>
    private static void TrainInRing(string dir, string spec, int ranks, string output, params string[] extra)
    {
        var run = CliProcess.Run(dir, ["train", spec, "--world-size", ranks.ToString(), "--out", output, .. extra]);
        Assert.True(run.ExitCode == 0, run.ToString());
        var digests = Enumerable.Range(0, ranks).Select(r => DigestOf(Path.Combine(dir, output, $"rank-{r}.log"))).ToList();
        Assert.All(digests, d => Assert.Matches("^[0-9a-f]{64}$", d));
        Assert.Single(digests.Distinct());
        Assert.Contains($"all {ranks} ranks finished with identical parameters", run.Output);
    }

    private static string DigestOf(string log) =>
        File.ReadAllLines(log).Last(l => l.StartsWith("parameters-sha256: ", StringComparison.Ordinal))["parameters-sha256: ".Length..].Split(' ')[0];

    private static List<(double D, double G)> Losses(string metrics) =>
        File.ReadAllLines(metrics).Select(l => JsonDocument.Parse(l).RootElement)
            .Select(e => (e.GetProperty("d_loss").GetDouble(), e.GetProperty("g_loss").GetDouble())).ToList();

    /// <summary>‖a − b‖ / ‖b‖ over the network's parameters (BatchNorm running statistics excluded: they do not steer training).</summary>
    private static double RelativeParameterDifference(Checkpoint a, Checkpoint b, string network)
    {
        double difference = 0, norm = 0;
        var right = b.Entries.Where(e => e.IsTensor && e.Network == network).ToDictionary(e => e.Name);
        foreach (var entry in a.Entries.Where(e => e.IsTensor && e.Network == network && e.DType == "Float32" && !e.Name.Contains("running_")))
        {
            var x = MemoryMarshal.Cast<byte, float>(entry.Data);
            var y = MemoryMarshal.Cast<byte, float>(right[entry.Name].Data);
            for (var i = 0; i < x.Length; i++)
            {
                difference += Math.Pow((double)x[i] - y[i], 2);
                norm += (double)y[i] * y[i];
            }
        }
        Assert.True(norm > 0, $"no parameters of {network} in the checkpoint");
        return Math.Sqrt(difference / norm);
    }
}
