using System.Runtime.InteropServices;
using System.Security.Cryptography;
using GanCluster.Collective.Wire;
using GanCluster.Collective;
using Grpc.Core;
using Grpc.Net.Client;

namespace GanCluster.Collective.Tests;

public sealed class RingAllReduceTests
{
    internal static RingOptions[] Ring(int worldSize, int chunkBytes = 4096, int channels = 3, string secret = "test-secret-0123456789")
    {
        var endpoints = FreePorts.Take(worldSize).Select(p => $"127.0.0.1:{p}").ToArray();
        return Enumerable.Range(0, worldSize).Select(r => new RingOptions
        {
            RunId = "ring-test",
            Rank = r,
            Endpoints = endpoints,
            Secret = secret,
            ChunkBytes = chunkBytes,
            Channels = channels,
            PeerTimeout = TimeSpan.FromSeconds(3),
            OperationTimeout = TimeSpan.FromSeconds(30),
            ConnectTimeout = TimeSpan.FromSeconds(20),
        }).ToArray();
    }

    internal static async Task<RingCommunicator[]> StartAll(RingOptions[] options) =>
        await Task.WhenAll(options.Select(o => RingCommunicator.StartAsync(o, TestContext.Current.CancellationToken)));

    [Theory]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    [InlineData(3, 3000)]
    [InlineData(3, 100_003)]
    [InlineData(4, 65_536)]
    public async Task All_reduce_sums_and_every_rank_gets_the_same_bits(int worldSize, int length)
    {
        var rings = await StartAll(Ring(worldSize));
        var inputs = Enumerable.Range(0, worldSize).Select(r => RandomFloats(length, seed: 17 * r + length)).ToArray();
        var buffers = inputs.Select(i => (float[])i.Clone()).ToArray();
        try
        {
            // Three collectives back to back, so a fast rank's next collective overlaps a slow rank's last one.
            for (var repeat = 0; repeat < 3; repeat++)
            {
                if (repeat > 0)
                    for (var r = 0; r < worldSize; r++)
                        inputs[r].CopyTo(buffers[r], 0);
                await Task.WhenAll(Enumerable.Range(0, worldSize).Select(r => Task.Run(() => AllReduce(rings[r], buffers[r], $"test {repeat}"))));
                for (var i = 0; i < length; i++)
                {
                    var exact = inputs.Sum(x => (double)x[i]);
                    Assert.True(Math.Abs(buffers[0][i] - exact) <= 1e-5 * (1 + Math.Abs(exact)), $"element {i}: {buffers[0][i]} vs {exact}");
                }
                var digests = buffers.Select(b => Convert.ToHexString(SHA256.HashData(MemoryMarshal.AsBytes(b.AsSpan())))).Distinct().ToList();
                Assert.Single(digests);
            }
        }
        finally
        {
            await Task.WhenAll(rings.Select(r => r.DisposeAsync().AsTask()));
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("a-wrong-secret-of-enough-length")]
    [InlineData("test-secret-0123456789")]
    public async Task A_call_without_the_handshake_is_refused_whatever_secret_header_it_carries(string? secret)
    {
        var options = Ring(1);
        await using var ring = await RingCommunicator.StartAsync(options[0], TestContext.Current.CancellationToken);
        using var channel = GrpcChannel.ForAddress("http://" + options[0].Endpoints[0]);
        var client = new GanCluster.Collective.Wire.Collective.CollectiveClient(channel);
        // The secret header of the one-way ring authenticates nothing any more, even with the right secret.
        var headers = new Metadata();
        if (secret is not null)
            headers.Add("x-gancluster-run-secret", secret);
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.HelloAsync(new HelloRequest { RunId = "ring-test", Rank = 0, WorldSize = 1 }, headers, DateTime.UtcNow.AddSeconds(10), cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
        using var pull = client.Pull(new PullRequest { Rank = 0, Channel = 0 }, headers, DateTime.UtcNow.AddSeconds(10), cancellationToken: TestContext.Current.CancellationToken);
        var pulled = await Assert.ThrowsAsync<RpcException>(async () => await pull.ResponseStream.MoveNext(TestContext.Current.CancellationToken));
        Assert.Equal(StatusCode.Unauthenticated, pulled.StatusCode);
    }

    [Fact]
    public async Task A_peer_with_the_right_secret_is_accepted()
    {
        var options = Ring(1);
        await using var ring = await RingCommunicator.StartAsync(options[0], TestContext.Current.CancellationToken);
        using var peer = new HandshakePeer(options[0].Endpoints[0]);
        var (nonce, reply) = await peer.HelloAsync(options[0], rank: 0);
        Assert.Equal(0, reply.Rank);
        Assert.True(new RingHandshake(options[0]).IsServerProof(reply.ServerProof.Span, 0, 0, nonce, reply.ServerNonce.Span));
        using var pull = peer.Client.Pull(HandshakePeer.Proving(options[0].Secret, options[0], 0, nonce, reply), deadline: DateTime.UtcNow.AddSeconds(10),
            cancellationToken: TestContext.Current.CancellationToken);
        await HandshakePeer.AssertAcceptedAsync(pull);
    }

    [Fact]
    public async Task A_silent_left_neighbour_stops_the_collective_with_its_name_and_the_step()
    {
        var options = Ring(3).Select(o => o with { PeerTimeout = TimeSpan.FromSeconds(2) }).ToArray();
        var rings = await StartAll(options);
        try
        {
            // Ranks 1 and 2 enter the collective; rank 0 never does (hung), but its heartbeats stop only when it is gone.
            await rings[0].DisposeAsync();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var errors = await Task.WhenAll(new[] { 1, 2 }.Select(r => Task.Run(() =>
                Assert.Throws<CollectiveException>(() => AllReduce(rings[r], new float[1000], "step 37, D gradients")).Message)));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
            Assert.All(errors, m => Assert.Contains("step 37, D gradients", m));
            Assert.All(errors, m => Assert.Contains("rank 0", m));
        }
        finally
        {
            await Task.WhenAll(rings.Skip(1).Select(r => r.DisposeAsync().AsTask()));
        }
    }

    internal static unsafe void AllReduce(RingCommunicator ring, float[] values, string label)
    {
        fixed (float* p = values)
            ring.AllReduceSum(new FloatBuffer((IntPtr)p, values.Length), label);
    }

    internal static float[] RandomFloats(int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }
}
