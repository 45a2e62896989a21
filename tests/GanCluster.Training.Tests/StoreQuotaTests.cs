using GanCluster.Training.Data;
using GanCluster.Training.Runtime;

namespace GanCluster.Training.Tests;

/// <summary>A sweep's disk quota (issue 14): a checkpoint that would take the sweep's runs past it is not written, and the run says why.</summary>
public sealed class StoreQuotaTests
{
    [Fact]
    public void A_checkpoint_past_the_quota_of_its_group_is_refused_and_the_files_stay_within_it()
    {
        var store = TestData.NewDirectory();
        var spec = TestSpecs.Toy("steps=60", "report_every=10", "checkpoint_every=10", "keep_checkpoints=10");
        using var dataset = GaussianMixture.Ring8(spec.Seed);

        // Another trial of the same sweep already holds files; a folder of another sweep does not count.
        Directory.CreateDirectory(Path.Combine(store, "sw-t0000"));
        File.WriteAllBytes(Path.Combine(store, "sw-t0000", "old.gck"), new byte[40_000]);
        Directory.CreateDirectory(Path.Combine(store, "other-t0000"));
        File.WriteAllBytes(Path.Combine(store, "other-t0000", "big.gck"), new byte[10_000_000]);

        using var trainer = TestSpecs.Trainer(spec, dataset);
        // Room for three checkpoints and the run's small files, not for a fourth (a checkpoint's size is estimated from its entries, a little high).
        var size = CheckpointBytes(spec, dataset);
        var quota = new StoreQuota(store, "sw-t", 40_000 + 3 * size + size / 2, "sweep sw");
        var loop = new TrainingLoop(trainer, dataset, "x", new RunDirectory(Path.Combine(store, "sw-t0001"))) { Quota = quota };
        var refused = Assert.Throws<StoreQuotaException>(() => loop.Run(spec.Steps, new NullObserver(), CancellationToken.None));

        Assert.Contains("sweep sw's runs hold", refused.Message);
        Assert.Contains("step-00000040.gck", refused.Message);
        Assert.Contains("disk_quota_mb", refused.Message);
        // Three checkpoints fit; the fourth was never written, and the group holds no more than its quota.
        Assert.Equal(3, Directory.GetFiles(Path.Combine(store, "sw-t0001", "checkpoints"), "*.gck").Length);
        Assert.True(quota.Used() <= quota.Bytes, $"{quota.Used()} bytes used, quota {quota.Bytes}");
    }

    /// <summary>The size of one checkpoint of the spec, measured by writing one.</summary>
    private static long CheckpointBytes(Specs.RunSpec spec, IGanDataset dataset)
    {
        using var trainer = TestSpecs.Trainer(spec with { Steps = 10 }, dataset);
        var directory = new RunDirectory(TestData.NewDirectory());
        new TrainingLoop(trainer, dataset, "x", directory).Run(10, new NullObserver(), CancellationToken.None);
        return new FileInfo(Assert.Single(directory.Checkpoints())).Length;
    }
}
