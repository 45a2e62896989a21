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
        var before = HeapInUse();
        for (var i = 500; i < 10_000; i++)
            trainer.TrainStep(report: i % 100 == 99);
        var liveAfter = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var after = HeapInUse();
        Assert.Equal(10_000, trainer.Step);
        Assert.Equal(liveBefore, liveAfter);
        Assert.True(after.Native - before.Native < 16 << 20, $"native heap in use grew by {(after.Native - before.Native) >> 20} MiB over 9,500 steps");
        Assert.True(after.Managed - before.Managed < 4 << 20, $"live managed heap grew by {(after.Managed - before.Managed) >> 20} MiB over 9,500 steps");
    }

    /// <summary>
    /// Bytes held by live allocations: glibc's in-use count over every arena (libtorch allocates tensors through it;
    /// big blocks are mmapped and counted apart) and the GC's live heap. Resident memory is not used: it also counts
    /// the GC's committed but empty gen-0 budget and chunks glibc keeps after they are freed, which grew by ~100 MiB
    /// over this test with no object alive there.
    /// </summary>
    private static (long Native, long Managed) HeapInUse()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var heap = mallinfo2();
        return ((long)(heap.InUse + heap.Mapped), GC.GetTotalMemory(forceFullCollection: true));
    }

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct MallocInfo
    {
        public nuint Arena, FreeChunks, FastBins, MappedBlocks, Mapped, MaxTotal, FastFree, InUse, Free, TopReleasable;
    }

    /// <summary>glibc ≥ 2.33 (Debian 12 has 2.36): allocation statistics without mallinfo's 32-bit overflow.</summary>
    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern MallocInfo mallinfo2();
}
