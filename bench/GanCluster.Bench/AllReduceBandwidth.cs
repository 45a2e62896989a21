using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using GanCluster.Collective;
using GanCluster.Rank.Launch;

namespace GanCluster.Bench;

/// <summary>
/// All-reduce bus bandwidth, 2(N − 1)/N · size / time, of the gRPC ring against a plain TCP-socket ring, side by
/// side for each size and world size (the ranks are tasks of this process, on loopback), plus the α–β fit of the
/// gRPC ring's time: t(size) ≈ α + β · size.
/// </summary>
internal static class AllReduceBandwidth
{
    public static int Run(int[] worldSizes, long[] sizes, int[] channelCounts, int chunkBytes)
    {
        Console.WriteLine($"all-reduce on loopback, {Environment.ProcessorCount} cores; gRPC chunk {chunkBytes >> 10} KiB; times are medians");
        foreach (var n in worldSizes)
            foreach (var channels in channelCounts)
                RunWorld(n, sizes, channels, chunkBytes).GetAwaiter().GetResult();
        return 0;
    }

    private static async Task RunWorld(int n, long[] sizes, int channels, int chunkBytes)
    {
        var endpoints = FreePorts.Take(n).Select(p => $"127.0.0.1:{p}").ToArray();
        var grpc = await Task.WhenAll(Enumerable.Range(0, n).Select(r => RingCommunicator.StartAsync(new RingOptions
        {
            RunId = "bench", Rank = r, Endpoints = endpoints, Secret = "bench-secret-0123456789", Channels = channels, ChunkBytes = chunkBytes,
        })));
        var tcp = await TcpSocketRing.CreateAsync(n);
        Console.WriteLine();
        Console.WriteLine($"N = {n}, gRPC channels = {channels}");
        Console.WriteLine("| size | gRPC time | gRPC bus bandwidth | TCP time | TCP bus bandwidth | gRPC / TCP |");
        Console.WriteLine("|---|---|---|---|---|---|");
        var fit = new List<(double Bytes, double Seconds)>();
        try
        {
            foreach (var size in sizes)
            {
                var storage = Enumerable.Range(0, n).Select(_ => new byte[size]).ToArray();
                var iterations = (int)Math.Clamp((256L << 20) / size, 5, 300);
                var grpcTime = Median(await Time(iterations, () => Task.WhenAll(Enumerable.Range(0, n).Select(r => Task.Run(() => GrpcAllReduce(grpc[r], storage[r]))))));
                var tcpTime = Median(await Time(iterations, () => Task.WhenAll(Enumerable.Range(0, n).Select(r => tcp[r].AllReduceSumAsync(storage[r])))));
                double Bus(double seconds) => 2.0 * (n - 1) / n * size / seconds / 1e6;
                Console.WriteLine($"| {Size(size)} | {Ms(grpcTime)} | {Bus(grpcTime):0.0} MB/s | {Ms(tcpTime)} | {Bus(tcpTime):0.0} MB/s | {tcpTime / grpcTime:0.00} |");
                fit.Add((size, grpcTime));
            }
        }
        finally
        {
            await Task.WhenAll(grpc.Select(g => g.DisposeAsync().AsTask()));
            foreach (var t in tcp)
                t.Dispose();
        }
        var (alpha, beta) = LeastSquares(fit);
        Console.WriteLine($"α–β fit of the gRPC ring (N = {n}, {channels} channels, relative least squares): α = {alpha * 1e6:0} µs, β = {beta * 1e9:0.00} ns/byte ({1 / beta / 1e6:0} MB/s of buffer)");
    }

    internal static unsafe void GrpcAllReduce(RingCommunicator ring, byte[] storage)
    {
        fixed (byte* p = storage)
            ring.AllReduceSum(new FloatBuffer((IntPtr)p, storage.Length / sizeof(float)), "bench");
    }

    internal static async Task<List<double>> Time(int iterations, Func<Task> op)
    {
        for (var i = 0; i < 2; i++)
            await op();
        var times = new List<double>();
        for (var i = 0; i < iterations; i++)
        {
            var clock = Stopwatch.StartNew();
            await op();
            times.Add(clock.Elapsed.TotalSeconds);
        }
        return times;
    }

    internal static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }

    /// <summary>
    /// Least squares of t = α + β·x in relative error (weights 1/t²), so that the microsecond latencies of small
    /// sizes count as much as the large transfers; a plain fit lets 64 MB dominate and drives α negative.
    /// </summary>
    private static (double Alpha, double Beta) LeastSquares(List<(double X, double Y)> points)
    {
        double s = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
        foreach (var (x, y) in points)
        {
            var w = 1 / (y * y);
            (s, sx, sy, sxx, sxy) = (s + w, sx + w * x, sy + w * y, sxx + w * x * x, sxy + w * x * y);
        }
        var beta = (s * sxy - sx * sy) / (s * sxx - sx * sx);
        return ((sy - beta * sx) / s, beta);
    }

    internal static string Ms(double seconds) => seconds < 1e-3 ? $"{seconds * 1e6:0} µs" : $"{seconds * 1e3:0.00} ms";

    internal static string Size(long bytes) => bytes >= 1 << 20 ? $"{bytes >> 20} MB" : $"{bytes >> 10} KB";

    public static long[] ParseSizes(string text) => text.Split(',').Select(s =>
    {
        var unit = char.ToUpperInvariant(s[^1]);
        var value = long.Parse(s.TrimEnd('K', 'M', 'k', 'm'), CultureInfo.InvariantCulture);
        return unit == 'M' ? value << 20 : unit == 'K' ? value << 10 : value;
    }).ToArray();
}
