using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace GanCluster.Collective.Tests;

/// <summary>The ring over Unix domain sockets on one host, chosen automatically when the neighbour serves one, and TCP otherwise.</summary>
public sealed class RingTransportTests
{
    private static RingOptions[] Ring(params RingTransport[] transports)
    {
        var directory = Path.Combine(Path.GetTempPath(), "gancluster-ring-test-" + Guid.NewGuid().ToString("N")[..8]);
        return RingAllReduceTests.Ring(transports.Length).Select((o, r) => o with { RunId = "transport-" + directory, Transport = transports[r], SocketDirectory = directory }).ToArray();
    }

    private static async Task<string> AllReduceDigest(RingCommunicator[] rings, int length)
    {
        var buffers = Enumerable.Range(0, rings.Length).Select(r => RingAllReduceTests.RandomFloats(length, seed: 5 + r)).ToArray();
        await Task.WhenAll(rings.Select((ring, r) => Task.Run(() => RingAllReduceTests.AllReduce(ring, buffers[r], "transport test"))));
        var digests = buffers.Select(b => Convert.ToHexString(SHA256.HashData(MemoryMarshal.AsBytes(b.AsSpan())))).Distinct().ToList();
        return Assert.Single(digests);
    }

    [Fact]
    public async Task Unix_sockets_give_the_same_bits_as_tcp()
    {
        var digests = new List<string>();
        foreach (var transport in new[] { RingTransport.Tcp, RingTransport.UnixSocket, RingTransport.Auto })
        {
            var rings = await RingAllReduceTests.StartAll(Ring(transport, transport, transport));
            try
            {
                var expected = transport == RingTransport.Tcp ? RingTransport.Tcp : RingTransport.UnixSocket;
                Assert.All(rings, r => Assert.Equal(expected, r.LeftTransport));
                digests.Add(await AllReduceDigest(rings, 300_007));
            }
            finally
            {
                await Task.WhenAll(rings.Select(r => r.DisposeAsync().AsTask()));
            }
        }
        Assert.Single(digests.Distinct());
    }

    [Fact]
    public async Task Auto_takes_tcp_to_a_neighbour_that_serves_no_socket_and_the_socket_to_one_that_does()
    {
        // Rank 1's left neighbour (rank 0) serves TCP only; rank 0's (rank 1) serves a socket too.
        var options = Ring(RingTransport.Tcp, RingTransport.Auto);
        var rings = await RingAllReduceTests.StartAll(options);
        try
        {
            Assert.Equal(RingTransport.Tcp, rings[1].LeftTransport);
            Assert.Equal(RingTransport.Tcp, rings[0].LeftTransport);   // rank 0 itself asked for TCP
            Assert.False(File.Exists(options[0].SocketPath(0)));
            Assert.True(File.Exists(options[1].SocketPath(1)));
            await AllReduceDigest(rings, 4099);
        }
        finally
        {
            await Task.WhenAll(rings.Select(r => r.DisposeAsync().AsTask()));
        }
        Assert.False(File.Exists(options[1].SocketPath(1)), "a ring removes its socket when it stops");
    }

    [Fact]
    public async Task A_stale_socket_file_neither_blocks_the_listener_nor_misleads_auto()
    {
        var options = Ring(RingTransport.Auto, RingTransport.Auto);
        // What a SIGKILLed rank leaves behind: a socket file with nobody listening.
        Directory.CreateDirectory(options[0].SocketDirectory);
        foreach (var path in new[] { options[0].SocketPath(0), options[1].SocketPath(1) })
        {
            using var dead = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
            dead.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
        }
        var rings = await RingAllReduceTests.StartAll(options);
        try
        {
            Assert.All(rings, r => Assert.Equal(RingTransport.UnixSocket, r.LeftTransport));
            await AllReduceDigest(rings, 1000);
        }
        finally
        {
            await Task.WhenAll(rings.Select(r => r.DisposeAsync().AsTask()));
        }
    }

    [Fact]
    public async Task Unix_only_names_the_missing_socket_when_the_neighbour_serves_none()
    {
        var options = Ring(RingTransport.Tcp, RingTransport.UnixSocket).Select(o => o with { ConnectTimeout = TimeSpan.FromSeconds(2) }).ToArray();
        var starts = options.Select(o => RingCommunicator.StartAsync(o, TestContext.Current.CancellationToken)).ToArray();
        var error = await Assert.ThrowsAsync<CollectiveException>(() => starts[1]);
        Assert.Contains($"no Unix domain socket at {options[1].SocketPath(0)}", error.Message);
        // Rank 0 gives up too: its right neighbour never pulls from it.
        await Assert.ThrowsAsync<CollectiveException>(() => starts[0]);
    }
}
