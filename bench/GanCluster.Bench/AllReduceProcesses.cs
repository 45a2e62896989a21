using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using GanCluster.Collective;
using GanCluster.Rank.Launch;

namespace GanCluster.Bench;

/// <summary>
/// The all-reduce between real processes (one per rank, started by the static launcher), with a gap between
/// collectives that is either idle (sleep) or busy (a compute loop on the rank's thread, as training is). It tells
/// apart the cost of the collective itself from what a training process around it adds. With <c>--json</c> it times
/// as bench/peers/gloo_allreduce.py does (a 4-byte all-reduce as the barrier before each timed one) and prints one JSON
/// line per size, so that bench/peers/allreduce-vs-gloo.sh can set the two side by side.
/// </summary>
internal static class AllReduceProcesses
{
    public static int Launch(int worldSize, IReadOnlyList<long> sizes, int iterations, int gapMs, string gap, RingTransport transport, WireEncoding encoding, bool json, int? channels = null, int chunkBytes = 1 << 20)
    {
        var (self, prefix) = LocalLauncher.ThisProgram();
        var dir = Path.Combine(Path.GetTempPath(), "gancluster-allreduce-" + Guid.NewGuid().ToString("N")[..8]);
        var plan = new LaunchPlan
        {
            WorldSize = worldSize,
            Executable = self,
            Arguments = [.. prefix, "allreduce-rank", string.Join(',', sizes), iterations.ToString(CultureInfo.InvariantCulture), gapMs.ToString(CultureInfo.InvariantCulture), gap, json ? "json" : "text", encoding.ToString()],
            RunDirectory = dir,
            Transport = transport,
            Channels = channels,
            ChunkBytes = chunkBytes,
        };
        var result = LocalLauncher.RunAsync(plan, Console.WriteLine, CancellationToken.None).GetAwaiter().GetResult();
        if (!result.Succeeded)
            Console.Error.WriteLine($"failed: {result.Failure}");
        else
            Directory.Delete(dir, recursive: true);
        return result.Succeeded ? 0 : 1;
    }

    public static int Rank(IReadOnlyList<long> sizes, int iterations, int gapMs, string gap, bool json, WireEncoding encoding)
    {
        var options = WorkerEnvironment.Read();
        var ring = RingCommunicator.StartAsync(options).GetAwaiter().GetResult();
        var barrier = new byte[sizeof(float)];
        var sink = 0.0;
        foreach (var bytes in sizes)
        {
            var storage = new byte[bytes];
            var times = new List<double>();
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
                if (json)
                    AllReduce(ring, barrier, WireEncoding.Float32);
                var clock = Stopwatch.StartNew();
                AllReduce(ring, storage, encoding);
                if (i >= 3)
                    times.Add(clock.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            if (options.Rank != 0)
                continue;
            var median = times[times.Count / 2];
            Console.WriteLine(json
                ? JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["peer"] = $"gancluster {ring.LeftTransport switch { RingTransport.UnixSocket => "unix", _ => "tcp" }}{(encoding == WireEncoding.BFloat16 ? " bf16" : "")}"
                        + (options.Channels is { } c ? $" {c} ch" : ""),
                    ["world"] = options.WorldSize,
                    ["bytes"] = bytes, ["median_ms"] = median, ["min_ms"] = times[0],
                })
                : FormattableString.Invariant(
                    $"{options.WorldSize} processes, {bytes >> 10} KiB, {ring.LeftTransport}, {encoding}, gap {gapMs} ms {gap}: median {median:0.00} ms, p90 {times[times.Count * 9 / 10]:0.00} ms (sink {sink % 1:0.0})"));
        }
        ring.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return 0;
    }

    private static unsafe void AllReduce(RingCommunicator ring, byte[] storage, WireEncoding encoding)
    {
        fixed (byte* p = storage)
            ring.AllReduceSum(new FloatBuffer((IntPtr)p, storage.Length / sizeof(float)), "bench", encoding);
    }
}
