using System.Globalization;
using System.Text.Json;
using GanCluster.Specs;
using GanCluster.Training.Checkpoints;
using static GanCluster.Cli.Tests.LocalClusterTests;

namespace GanCluster.Cli.Tests;

/// <summary>PBT end to end (issue 14): exploit and explore across real runs on a real local cluster, and a synchronous sweep that replays bit for bit.</summary>
public sealed class PbtClusterTests
{
    private const string Pbt = """
        name: pbt-sync
        base:
          name: toy-pbt
          steps: 150
          batch_size: 64
          threads: 1
          model: { name: toy, latent_dim: 8, hidden: 32, layers: 2 }
          dataset: { kind: grid25 }
          ema: { decay: 0.9, start_step: 0 }
          report_every: 25
          checkpoint_every: 50
          health: { eval_every: 50, eval_samples: 500 }
        space:
          optimizers.g.lr: { loguniform: [1.0e-4, 3.0e-3] }
          optimizers.d.lr: { loguniform: [1.0e-4, 3.0e-3] }
          loss.r1_gamma: { uniform: [0.0, 2.0] }
        algorithm: { kind: pbt, interval_steps: 50, population: 4, synchronous: true }
        metric: { name: high_quality_fraction, goal: max }
        seed: 11
        max_trials: 4
        max_concurrent_trials: 2
        steps_per_trial: 150
        on_collapse: continue
        """;

    [Fact]
    public void Two_runs_of_one_synchronous_pbt_sweep_exploit_alike_and_end_with_identical_checkpoints()
    {
        var dir = CliProcess.NewDirectory();
        var sweepFile = CliProcess.WriteSpec(dir, Pbt, "sweep.yaml");
        var cluster = Path.Combine(dir, "cluster");
        var up = CliProcess.Run(dir, "up", "--workers", "2", "--threads", "1", "--cluster", cluster);
        Assert.True(up.ExitCode == 0, up.ToString());
        try
        {
            // Both at once: the two sweeps' segments interleave on the two workers in whatever order they are placed.
            var ids = new[] { Submit(dir, sweepFile, cluster), Submit(dir, sweepFile, cluster) };
            JsonElement[] sweeps = [default, default];
            WaitUntil(() =>
            {
                for (var i = 0; i < 2; i++)
                    sweeps[i] = Json(CliProcess.Run(dir, "sweep", "show", ids[i], "--cluster", cluster, "--output", "json"));
                return sweeps.All(s => s.GetProperty("state").GetString() != "SWEEP_STATE_RUNNING");
            }, "both PBT sweeps to end", TimeSpan.FromMinutes(6));
            foreach (var s in sweeps)
                Assert.True(s.GetProperty("state").GetString() == "SWEEP_STATE_COMPLETED", s.ToString());

            var store = Path.Combine(cluster, "store");
            var first = Trials(sweeps[0]);
            var second = Trials(sweeps[1]);
            Assert.Equal(4, first.Count);
            var exploits = 0;
            foreach (var (a, b) in first.Zip(second))
            {
                Assert.Equal("RUN_STATE_COMPLETED", a.GetProperty("state").GetString());
                var lineageA = Lineage(a);
                var lineageB = Lineage(b);
                // Three intervals each, decided alike: the same sources and the same explored values at each boundary.
                Assert.Equal([(0L, 50L), (50, 100), (100, 150)], lineageA.Select(g => (g.From, g.To)));
                Assert.Equal(lineageA.Select(g => (g.From, g.Source, g.Values)), lineageB.Select(g => (g.From, g.Source, g.Values)));
                Assert.Equal(Curve(a), Curve(b));

                // An exploiting segment started from its donor's checkpoint at the boundary, under its explored values.
                foreach (var g in lineageA.Where(g => g.Source is not null))
                {
                    exploits++;
                    var run = Json(CliProcess.Run(dir, "run", "show", g.RunId, "--cluster", cluster, "--output", "json"));
                    var donorRun = Lineage(first[g.Source!.Value]).Single(d => d.To == g.From).RunId;
                    Assert.Contains(run.GetProperty("events").EnumerateArray(), e => e.GetProperty("text").GetString()!.Contains($"started from run {donorRun}'s checkpoint", StringComparison.Ordinal));
                    var spec = RunSpecLoader.LoadText(File.ReadAllText(Path.Combine(store, g.RunId, "spec.yaml")), "spec.yaml", resolvePaths: false).Spec;
                    var values = g.Values.Split(';').Select(v => v.Split('=')).ToDictionary(v => v[0], v => double.Parse(v[1], CultureInfo.InvariantCulture));
                    Assert.Equal(values["optimizers.g.lr"], spec.GeneratorOptimizer.LearningRate, 12);
                    Assert.Equal(values["optimizers.d.lr"], spec.DiscriminatorOptimizer.LearningRate, 12);
                    Assert.Equal(values["loss.r1_gamma"], spec.Loss.R1Gamma, 12);
                }

                // The same final state, bit for bit: G, D and the EMA.
                var final = $"checkpoints/step-{150:D8}.gck";
                var differences = CheckpointComparison.Compare(
                    CheckpointFile.Read(Path.Combine(store, lineageA[^1].RunId, final)), CheckpointFile.Read(Path.Combine(store, lineageB[^1].RunId, final)));
                Assert.Equal(["g", "d", "ema"], differences.Select(d => d.Network));
                Assert.All(differences, d => Assert.True(d.BitwiseIdentical, $"trial {a.GetProperty("number").GetInt32()} {d.Network}: max |Δ| {d.MaxAbsolute}"));
            }
            // Four members, quantile 0.25: the worst one exploits the best at each of the two boundaries.
            Assert.Equal(2, exploits);

            // People see the lineage; the plot marks the exploits.
            var table = CliProcess.Run(dir, "sweep", "show", ids[0], "--cluster", cluster);
            Assert.Contains("lineage", table.Output);
            Assert.Contains("exploit trial", table.Output);
            // The best checkpoint comes from the segment whose evaluation scored best, which need not be the last.
            var exported = CliProcess.Run(dir, "sweep", "best", ids[0], "--out", Path.Combine(dir, "best"), "--cluster", cluster);
            Assert.True(exported.ExitCode == 0, exported.ToString());
            var bestTrial = first.MaxBy(t => t.GetProperty("best").GetDouble());
            using (var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "best", "summary.json"))))
                Assert.Equal(bestTrial.GetProperty("bestRunId").GetString(), summary.RootElement.GetProperty("RunId").GetString());
            var plot = CliProcess.Run(dir, "sweep", "plot", ids[0], "--out", Path.Combine(dir, "pbt.png"), "--cluster", cluster);
            Assert.True(plot.ExitCode == 0 && new FileInfo(Path.Combine(dir, "pbt.png")).Length > 10_000, plot.ToString());
        }
        finally
        {
            CliProcess.Run(dir, "down", "--cluster", cluster);
        }
    }

    [Fact]
    public void An_asynchronous_pbt_sweep_exploits_from_the_donors_newest_checkpoint_and_completes()
    {
        var dir = CliProcess.NewDirectory();
        var sweepFile = CliProcess.WriteSpec(dir, Pbt.Replace("synchronous: true", "synchronous: false").Replace("name: pbt-sync", "name: pbt-async"), "sweep.yaml");
        var cluster = Path.Combine(dir, "cluster");
        var up = CliProcess.Run(dir, "up", "--workers", "2", "--threads", "1", "--cluster", cluster);
        Assert.True(up.ExitCode == 0, up.ToString());
        try
        {
            var submitted = CliProcess.Run(dir, "sweep", "submit", sweepFile, "--watch", "--cluster", cluster);
            Assert.True(submitted.ExitCode == 0, submitted.ToString());
            var id = System.Text.RegularExpressions.Regex.Match(submitted.Output, @"submitted sweep (\S+)").Groups[1].Value;
            var trials = Trials(Json(CliProcess.Run(dir, "sweep", "show", id, "--cluster", cluster, "--output", "json")));
            Assert.Equal(4, trials.Count);
            var exploits = 0;
            foreach (var t in trials)
            {
                Assert.Equal("RUN_STATE_COMPLETED", t.GetProperty("state").GetString());
                var lineage = Lineage(t);
                // Contiguous segments from 0 to the last step, each started where the one before (or its donor's) ended.
                Assert.Equal(0, lineage[0].From);
                Assert.Equal(150, lineage[^1].To);
                Assert.All(lineage.Zip(lineage.Skip(1)), p => Assert.True(p.Second.From <= p.First.To && p.Second.From % 50 == 0, $"{p.First} then {p.Second}"));
                foreach (var g in lineage.Where(g => g.Source is not null))
                {
                    exploits++;
                    // The donor's checkpoint it started from is one of the donor's segment ends, no later than the boundary.
                    var donor = Lineage(trials[g.Source!.Value]);
                    Assert.Contains(donor, d => d.To == g.From);
                }
            }
            Assert.True(exploits >= 1, "no trial exploited another");
        }
        finally
        {
            CliProcess.Run(dir, "down", "--cluster", cluster);
        }
    }

    private static string Submit(string dir, string sweepFile, string cluster)
    {
        var submitted = CliProcess.Run(dir, "sweep", "submit", sweepFile, "--cluster", cluster, "--output", "json");
        Assert.True(submitted.ExitCode == 0, submitted.ToString());
        return Json(submitted).GetProperty("id").GetString()!;
    }

    private static List<JsonElement> Trials(JsonElement sweep) => [.. sweep.GetProperty("trials").EnumerateArray().OrderBy(t => t.GetProperty("number").GetInt32())];

    private sealed record Segment(string RunId, long From, long To, int? Source, string Values);

    private static List<Segment> Lineage(JsonElement trial) =>
    [
        .. trial.GetProperty("lineage").EnumerateArray().Select(g => new Segment(
            g.GetProperty("runId").GetString()!,
            g.TryGetProperty("fromStep", out var from) ? long.Parse(from.GetString()!) : 0,
            long.Parse(g.GetProperty("toStep").GetString()!),
            g.TryGetProperty("sourceTrial", out var source) ? source.GetInt32() : null,
            string.Join(";", g.GetProperty("values").EnumerateObject().OrderBy(v => v.Name, StringComparer.Ordinal).Select(v => $"{v.Name}={v.Value.GetString()}")))),
    ];

    private static List<(long, double)> Curve(JsonElement trial) =>
        [.. trial.GetProperty("curve").EnumerateArray().Select(p => (long.Parse(p.GetProperty("step").GetString()!), p.GetProperty("value").GetDouble()))];
}
