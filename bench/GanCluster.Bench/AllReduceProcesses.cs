using System.Diagnostics;
using System.Globalization;
using GanCluster.Collective;
using GanCluster.Rank.Launch;

namespace GanCluster.Bench;

/// <summary>
/// The all-reduce between real processes (one per rank, started by the static launcher), with a gap between
/// collectives that is either idle (sleep) or busy (a compute loop on the rank's thread, as training is). It tells
/// apart the cost of the collective itself from what a training process around it adds.
/// </summary>
internal static class AllReduceProcesses
{
    public static int Launch(int worldSize, long bytes, int iterations, int gapMs, string gap)
    {
        var (self, prefix) = LocalLauncher.ThisProgram();
        var dir = Path.Combine(Path.GetTempPath(), "gancluster-allreduce-" + Guid.NewGuid().ToString("N")[..8]);
        var plan = new LaunchPlan
        {
            WorldSize = worldSize,
            Executable = self,
            Arguments = [.. prefix, "allreduce-rank", bytes.ToString(CultureInfo.InvariantCulture), iterations.ToString(CultureInfo.InvariantCulture), gapMs.ToString(CultureInfo.InvariantCulture), gap],
            RunDirectory = dir,
        };
        var result = LocalLauncher.RunAsync(plan, Console.WriteLine, CancellationToken.None).GetAwaiter().GetResult();
        if (!result.Succeeded)
            Console.WriteLine($"failed: {result.Failure}");
        return result.Succeeded ? 0 : 1;
    }

    public static int Rank(long bytes, int iterations, int gapMs, string gap)
    {
        var options = WorkerEnvironment.Read();
        var ring = RingCommunicator.StartAsync(options).GetAwaiter().GetResult();
        var storage = new byte[bytes];
        var times = new List<double>();
        var sink = 0.0;
        for (var i = 0; i < iterations + 3; i++)
        {
            if (gap == "busy")
            {
                var until = Stopwatch.StartNew();
                while (until.ElapsedMilliseconds < gapMs)
                    for (var k = 0; k < 10_000; k++)
                        sink += Math.Sqrt(k + sink);
            }
            else if (gapMs > 0)
                Thread.Sleep(gapMs);
            var clock = Stopwatch.StartNew();
            AllReduce(ring, storage);
            if (i >= 3)
                times.Add(clock.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        if (options.Rank == 0)
            Console.WriteLine(FormattableString.Invariant(
                $"{options.WorldSize} processes, {bytes >> 10} KiB, gap {gapMs} ms {gap}: median {times[times.Count / 2]:0.00} ms, p90 {times[times.Count * 9 / 10]:0.00} ms (sink {sink % 1:0.0})"));
        ring.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return 0;
    }

    private static unsafe void AllReduce(RingCommunicator ring, byte[] storage)
    {
        fixed (byte* p = storage)
            ring.AllReduceSum(new FloatBuffer((IntPtr)p, storage.Length / sizeof(float)), "bench");
    }
}
