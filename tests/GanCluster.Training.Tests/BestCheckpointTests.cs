using System.Text.Json;
using GanCluster.Training.Checkpoints;
using GanCluster.Training.Data;
using GanCluster.Training.Runtime;

namespace GanCluster.Training.Tests;

/// <summary>keep_best (issue 14): a run keeps its best checkpoints by a metric, not only its newest.</summary>
public sealed class BestCheckpointTests
{
    [Fact]
    public void The_best_evaluations_states_are_kept_beside_the_newest_and_equal_a_checkpoint_of_the_same_step()
    {
        var spec = TestSpecs.Toy("steps=120", "report_every=10", "checkpoint_every=20", "keep_checkpoints=1", "health.eval_every=20", "health.eval_samples=200",
            "keep_best={ metric: high_quality_fraction, goal: max, count: 2 }");
        using var dataset = GaussianMixture.Ring8(spec.Seed);
        using var trainer = TestSpecs.Trainer(spec, dataset);
        var directory = new RunDirectory(TestData.NewDirectory());
        var loop = new TrainingLoop(trainer, dataset, "x", directory);
        Assert.Equal(LoopOutcome.Completed, loop.Run(spec.Steps, new NullObserver(), CancellationToken.None));

        // The two best evaluations by value (the earlier step among equals), from the metrics the run wrote.
        var evaluations = File.ReadAllLines(directory.MetricsFile).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(r => r.TryGetProperty("high_quality_fraction", out var v) && v.ValueKind == JsonValueKind.Number && r.GetProperty("step").GetInt64() % 20 == 0)
            .Select(r => (Step: r.GetProperty("step").GetInt64(), Value: r.GetProperty("high_quality_fraction").GetDouble())).ToList();
        Assert.Equal(6, evaluations.Count);
        var expected = evaluations.OrderByDescending(e => e.Value).ThenBy(e => e.Step).Take(2).ToList();
        Assert.Equal(expected.Select(e => e.Step), loop.Best.Select(b => b.Step));
        Assert.Equal(expected.Select(e => e.Value), loop.Best.Select(b => b.Value));
        Assert.Equal(expected.Select(e => $"step-{e.Step:D8}.gck").Order(), Directory.GetFiles(Path.Combine(directory.CheckpointsFolder, "best"), "*.gck").Select(Path.GetFileName).Order());
        // Only the newest regular checkpoint is kept; the best ones are not pruned with them.
        Assert.Equal(["step-00000120.gck"], directory.Checkpoints().Select(Path.GetFileName));

        // A best checkpoint is the run's state at its step: a run that stops there writes the same networks.
        var first = loop.Best[0];
        var again = TestSpecs.Toy($"steps={first.Step}", "report_every=10", "checkpoint_every=20", "keep_checkpoints=1", "health.eval_every=20", "health.eval_samples=200",
            "keep_best={ metric: high_quality_fraction, goal: max, count: 2 }");
        using var dataset2 = GaussianMixture.Ring8(again.Seed);
        using var trainer2 = TestSpecs.Trainer(again, dataset2);
        var directory2 = new RunDirectory(TestData.NewDirectory());
        new TrainingLoop(trainer2, dataset2, "x", directory2).Run(again.Steps, new NullObserver(), CancellationToken.None);
        var best = CheckpointFile.Read(first.Path);
        Assert.Equal(first.Sha256, best.Sha256);
        Assert.All(CheckpointComparison.Compare(best, CheckpointFile.Read(directory2.CheckpointFor(first.Step))), d => Assert.True(d.BitwiseIdentical, $"{d.Network} differs"));

        // The index keeps their values for a resume, which forgets what came after its step.
        var reopened = new BestCheckpoints(directory, spec.KeepBest!);
        Assert.Equal(loop.Best, reopened.Kept);
        reopened.DropAfter(Math.Min(expected[0].Step, expected[1].Step));
        Assert.Single(reopened.Kept);
        Assert.Single(Directory.GetFiles(reopened.Folder, "*.gck"));
    }

}
