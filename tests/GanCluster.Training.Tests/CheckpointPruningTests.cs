using GanCluster.Training.Data;
using GanCluster.Training.Runtime;

namespace GanCluster.Training.Tests;

/// <summary>
/// <c>keep_checkpoints</c> rotates a run's checkpoints, but never the one the control plane would resume from: a worker
/// may write and prune several between two reports, and a worker killed then would leave its run nothing to resume from.
/// </summary>
public sealed class CheckpointPruningTests
{
    private static (RunDirectory Directory, List<string> Pruned) Train(Func<RunDirectory, string?>? resumable)
    {
        var spec = TestSpecs.Toy("steps=50", "report_every=10", "checkpoint_every=10", "keep_checkpoints=2");
        using var dataset = GaussianMixture.Ring8(spec.Seed);
        using var trainer = TestSpecs.Trainer(spec, dataset);
        var directory = new RunDirectory(TestData.NewDirectory());
        var loop = new TrainingLoop(trainer, dataset, "x", directory) { ResumableCheckpoint = resumable is null ? null : () => resumable(directory) };
        Assert.Equal(LoopOutcome.Completed, loop.Run(spec.Steps, new NullObserver(), CancellationToken.None));
        return (directory, [.. directory.Checkpoints().Select(Path.GetFileName).OfType<string>()]);
    }

    [Fact]
    public void The_checkpoint_the_control_plane_would_resume_from_survives_the_rotation()
    {
        // The control plane last heard of step 10 (its later reports never arrived).
        var (_, kept) = Train(d => d.CheckpointFor(10));
        Assert.Equal(["step-00000010.gck", "step-00000040.gck", "step-00000050.gck"], kept);

        // Without one, the rotation keeps the newest two, as keep_checkpoints says.
        var (_, rotated) = Train(null);
        Assert.Equal(["step-00000040.gck", "step-00000050.gck"], rotated);
    }
}
