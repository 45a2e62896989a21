using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace GanCluster.Collective.Tests;

public sealed class RingChannelsTests
{
    [Theory]
    [InlineData("127.0.0.1:5000", "127.0.0.1:5001", 1)]
    [InlineData("localhost:5000", "127.0.0.2:5001", 1)]
    [InlineData("[::1]:5000", "127.0.0.1:5001", 1)]
    [InlineData("gpu-3.cluster:5000", "GPU-3.cluster:5001", 1)]
    [InlineData("10.0.0.1:5000", "10.0.0.2:5000", 4)]
    [InlineData("10.0.0.1:5000", "127.0.0.1:5000", 4)]
    [InlineData("gpu-3:5000", "gpu-4:5000", 4)]
    public void A_link_takes_one_connection_on_one_host_and_four_across_hosts(string sender, string receiver, int expected)
    {
        var options = new RingOptions { RunId = "r", Rank = 0, Endpoints = [sender, receiver], Secret = "test-secret-0123456789" };
        Assert.Equal(expected, options.ChannelsOnLink(0));
        Assert.Equal(expected, options.ChannelsOnLink(1));
        Assert.Equal(2, (options with { Channels = 2 }).ChannelsOnLink(0));
    }

    [Fact]
    public async Task Both_ends_of_every_link_agree_when_links_differ_and_the_ring_still_sums_to_the_same_bits()
    {
        // Rank 0 is written by this machine's host name, which the ring does not resolve, so it counts as another host:
        // the links into and out of it take four connections, the loopback one between ranks 1 and 2 one.
        var ports = FreePorts.Take(3);
        string[] endpoints = [$"{System.Net.Dns.GetHostName()}:{ports[0]}", $"127.0.0.1:{ports[1]}", $"127.0.0.1:{ports[2]}"];
        var options = RingAllReduceTests.Ring(3).Select(o => o with { Endpoints = endpoints, Channels = null, ChunkBytes = 1024 }).ToArray();
        var rings = await RingAllReduceTests.StartAll(options);
        try
        {
            Assert.Equal([4, 4, 1], rings.Select(r => r.LeftConnections));
            var inputs = Enumerable.Range(0, 3).Select(r => Enumerable.Range(0, 5000).Select(i => (float)Math.Sin(i * 0.37 + r)).ToArray()).ToArray();
            var buffers = inputs.Select(i => (float[])i.Clone()).ToArray();
            await Task.WhenAll(Enumerable.Range(0, 3).Select(r => Task.Run(() => RingAllReduceTests.AllReduce(rings[r], buffers[r], "mixed links"))));
            for (var i = 0; i < 5000; i++)
                Assert.True(Math.Abs(buffers[0][i] - inputs.Sum(x => (double)x[i])) <= 1e-5, $"element {i}");
            Assert.Single(buffers.Select(b => Convert.ToHexString(SHA256.HashData(MemoryMarshal.AsBytes(b.AsSpan())))).Distinct());
        }
        finally
        {
            await Task.WhenAll(rings.Select(r => r.DisposeAsync().AsTask()));
        }
    }
}
