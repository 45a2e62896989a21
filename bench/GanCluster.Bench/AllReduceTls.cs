using System.Security.Cryptography.X509Certificates;
using GanCluster.Collective;

namespace GanCluster.Bench;

/// <summary>
/// What TLS on the ring's links costs: the same gRPC ring with and without TLS, both up at once in this process,
/// timed in alternating rounds (ABBA) for each size; the table shows medians and TLS throughput / plain throughput.
/// </summary>
internal static class AllReduceTls
{
    public static int Run(int n, long[] sizes, int channels, int rounds)
    {
        RunAsync(n, sizes, channels, rounds).GetAwaiter().GetResult();
        return 0;
    }

    private static async Task RunAsync(int n, long[] sizes, int channels, int rounds)
    {
        var authority = RingTls.CreateAuthority("bench");
        var plain = await StartRing(n, channels, _ => null, null);
        var tls = await StartRing(n, channels, _ => RingTls.Issue(authority, ["127.0.0.1"]), authority);
        Console.WriteLine($"all-reduce on loopback, {Environment.ProcessorCount} cores, N = {n}, {channels} channels, {rounds} rounds per size (ABBA); times are medians");
        Console.WriteLine();
        Console.WriteLine("| size | plain time | plain bus bandwidth | TLS time | TLS bus bandwidth | TLS / plain throughput |");
        Console.WriteLine("|---|---|---|---|---|---|");
        try
        {
            foreach (var size in sizes)
            {
                var storage = Enumerable.Range(0, n).Select(_ => new byte[size]).ToArray();
                var iterations = (int)Math.Clamp((64L << 20) / size, 3, 100);
                var (plainTimes, tlsTimes) = (new List<double>(), new List<double>());
                for (var round = 0; round < rounds; round++)
                {
                    var order = round % 2 == 0 ? new[] { (plain, plainTimes), (tls, tlsTimes) } : new[] { (tls, tlsTimes), (plain, plainTimes) };
                    foreach (var (ring, times) in order)
                        times.AddRange(await AllReduceBandwidth.Time(iterations, () => Task.WhenAll(Enumerable.Range(0, n).Select(r => Task.Run(() => AllReduceBandwidth.GrpcAllReduce(ring[r], storage[r]))))));
                }
                var (plainTime, tlsTime) = (AllReduceBandwidth.Median(plainTimes), AllReduceBandwidth.Median(tlsTimes));
                double Bus(double seconds) => 2.0 * (n - 1) / n * size / seconds / 1e6;
                Console.WriteLine($"| {AllReduceBandwidth.Size(size)} | {AllReduceBandwidth.Ms(plainTime)} | {Bus(plainTime):0.0} MB/s | {AllReduceBandwidth.Ms(tlsTime)} | {Bus(tlsTime):0.0} MB/s | {plainTime / tlsTime:0.00} |");
            }
        }
        finally
        {
            await Task.WhenAll(plain.Concat(tls).Select(g => g.DisposeAsync().AsTask()));
        }
    }

    private static async Task<RingCommunicator[]> StartRing(int n, int channels, Func<int, X509Certificate2?> certificate,
        X509Certificate2? authority)
    {
        var endpoints = FreePorts.Take(n).Select(p => $"127.0.0.1:{p}").ToArray();
        return await Task.WhenAll(Enumerable.Range(0, n).Select(r => RingCommunicator.StartAsync(new RingOptions
        {
            RunId = "bench", Rank = r, Endpoints = endpoints, Secret = "bench-secret-0123456789", Channels = channels,
            Certificate = certificate(r), CertificateAuthority = authority,
        })));
    }
}
