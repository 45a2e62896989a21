using GanCluster.Training.Data;
using TorchSharp;

namespace GanCluster.Training.Tests;

/// <summary>
/// Resident memory is a process-wide quantity: other tests allocating at the same time would show up as a "leak".
/// This collection therefore runs alone, after the parallel ones.
/// </summary>
[CollectionDefinition(nameof(ProcessWideMeasurements), DisableParallelization = true)]
public sealed class ProcessWideMeasurements;

[Collection(nameof(ProcessWideMeasurements))]
public sealed class MemoryStabilityTests
{
    [Fact]
    public void Native_tensors_and_memory_stay_flat_over_10000_steps()
    {
        // hidden = 64 makes one leaked weight-sized tensor per step 16 KiB, so 9,500 steps of such a leak is ≥ 148 MiB.
        var spec = TestSpecs.Toy("batch_size=16", "model.hidden=64", "ema.decay=0.9", "report_every=100");
        using var dataset = GaussianMixture.Ring8(spec.Seed);
        using var trainer = TestSpecs.Trainer(spec, dataset);
        for (var i = 0; i < 500; i++)
            trainer.TrainStep(report: i % 100 == 99);
        var liveBefore = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var rssBefore = ResidentBytesAfterCollection();
        for (var i = 500; i < 10_000; i++)
            trainer.TrainStep(report: i % 100 == 99);
        var liveAfter = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var rssAfter = ResidentBytesAfterCollection();
        Assert.Equal(10_000, trainer.Step);
        Assert.Equal(liveBefore, liveAfter);
        Assert.True(rssAfter - rssBefore < 16 << 20, $"resident memory grew by {(rssAfter - rssBefore) >> 20} MiB over 9,500 steps");
    }

    private static long ResidentBytesAfterCollection()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var line = File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }
}
