using System.Diagnostics;
using System.Text;
using GanCluster.Collective.Wire;
using Google.Protobuf;
using Grpc.Core;

namespace GanCluster.Collective.Tests;

/// <summary>The ring authenticates both ways, and the run's secret never leaves a rank.</summary>
public sealed class RingAuthenticationTests
{
    public enum Impostor
    {
        /// <summary>Answers Hello with a nonce and a proof of its own making.</summary>
        Forging,

        /// <summary>Answers with a genuine rank's reply to an earlier Hello (valid nonce, valid proof, for another client nonce).</summary>
        Replaying,
    }

    [Theory]
    [InlineData(Impostor.Forging)]
    [InlineData(Impostor.Replaying)]
    public async Task A_listener_without_the_secret_never_receives_it(Impostor kind)
    {
        var options = RingAllReduceTests.Ring(2);
        var genuineEarlier = Genuine(options[1], clientNonce: RingHandshake.NewNonce());
        await using var impostor = await ImpostorListener.StartAsync(RingOptions.ParseEndpoint(options[1].Endpoints[1]), _ => kind switch
        {
            Impostor.Forging => Forged(options[1]),
            _ => genuineEarlier,
        });

        // Rank 0 connects to its left neighbour, rank 1, whose port the impostor holds.
        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<CollectiveException>(() => RingCommunicator.StartAsync(options[0], TestContext.Current.CancellationToken));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Contains($"the listener at {options[0].Endpoints[1]} failed to prove that it holds the run's secret", e.Message);
        Assert.Contains("impostor", e.Message);

        var received = impostor.ReceivedBytes;
        var requests = impostor.Requests;
        Assert.True(Contains(received, "ring-test"u8.ToArray()), "the impostor saw no Hello: it recorded nothing");
        Assert.NotEmpty(requests);
        Assert.All(requests, r => Assert.StartsWith("/gancluster.collective.v1.Collective/Hello\n", r));
        var secret = options[0].Secret;
        var utf8 = Encoding.UTF8.GetBytes(secret);
        foreach (var form in new[] { secret, Convert.ToHexString(utf8), Convert.ToHexStringLower(utf8), Convert.ToBase64String(utf8) })
        {
            Assert.False(Contains(received, Encoding.ASCII.GetBytes(form)), $"the port received the secret as '{form}'");
            Assert.All(requests, r => Assert.DoesNotContain(form, r, StringComparison.OrdinalIgnoreCase));
        }
        Assert.False(Contains(received, utf8), "the port received the secret's UTF-8 bytes");
    }

    [Fact]
    public async Task A_genuine_listener_refuses_a_peer_with_the_wrong_secret()
    {
        var options = RingAllReduceTests.Ring(1);
        await using var ring = await RingCommunicator.StartAsync(options[0], TestContext.Current.CancellationToken);
        using var peer = new HandshakePeer(options[0].Endpoints[0]);
        // This peer does not check the listener's proof (it could not: it lacks the secret) and answers with its own.
        var (nonce, reply) = await peer.HelloAsync(options[0], rank: 0);
        using var pull = peer.Client.Pull(HandshakePeer.Proving("a-wrong-secret-of-enough-length", options[0], 0, nonce, reply),
            deadline: Soon, cancellationToken: TestContext.Current.CancellationToken);
        var e = await Assert.ThrowsAsync<RpcException>(async () => await pull.ResponseStream.MoveNext(TestContext.Current.CancellationToken));
        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
        Assert.Contains("does not hold the run's secret", e.Status.Detail);
    }

    [Fact]
    public async Task A_genuine_rank_refuses_a_listener_with_the_wrong_secret()
    {
        var options = RingAllReduceTests.Ring(2);
        options[1] = options[1] with { Secret = "a-wrong-secret-of-enough-length" };
        // Rank 1 listens, and keeps trying to join rank 0 until it is told to stop.
        using var stopRank1 = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var rank1 = RingCommunicator.StartAsync(options[1], stopRank1.Token);
        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<CollectiveException>(() => RingCommunicator.StartAsync(options[0], TestContext.Current.CancellationToken));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Contains($"rank 0: the listener at {options[0].Endpoints[1]} failed to prove that it holds the run's secret", e.Message);
        await stopRank1.CancelAsync();
        // Rank 1 either met rank 0 while it was up (and refused it in turn) or was still waiting for it.
        var other = await Assert.ThrowsAnyAsync<Exception>(() => rank1);
        Assert.True(other is OperationCanceledException || other.Message.Contains("failed to prove"), other.Message);
    }

    [Fact]
    public async Task A_replayed_proof_is_refused()
    {
        var options = RingAllReduceTests.Ring(1);
        await using var ring = await RingCommunicator.StartAsync(options[0], TestContext.Current.CancellationToken);
        using var peer = new HandshakePeer(options[0].Endpoints[0]);
        var (nonce, reply) = await peer.HelloAsync(options[0], rank: 0);
        var proving = HandshakePeer.Proving(options[0].Secret, options[0], 0, nonce, reply);
        using (var genuine = peer.Client.Pull(proving, deadline: Soon, cancellationToken: TestContext.Current.CancellationToken))
            await HandshakePeer.AssertAcceptedAsync(genuine);

        // The same request again: its challenge has been used.
        using var replayed = peer.Client.Pull(proving, deadline: Soon, cancellationToken: TestContext.Current.CancellationToken);
        var again = await Assert.ThrowsAsync<RpcException>(async () => await replayed.ResponseStream.MoveNext(TestContext.Current.CancellationToken));
        Assert.Equal(StatusCode.Unauthenticated, again.StatusCode);
        Assert.Contains("already used", again.Status.Detail);

        // The old proof against a fresh challenge: it covers the old nonces.
        var (_, fresh) = await peer.HelloAsync(options[0], rank: 0);
        using var rebound = peer.Client.Pull(new PullRequest { Rank = 0, Channel = 0, ServerNonce = fresh.ServerNonce, ClientProof = proving.ClientProof },
            deadline: Soon, cancellationToken: TestContext.Current.CancellationToken);
        var stale = await Assert.ThrowsAsync<RpcException>(async () => await rebound.ResponseStream.MoveNext(TestContext.Current.CancellationToken));
        Assert.Equal(StatusCode.Unauthenticated, stale.StatusCode);
        Assert.Contains("does not hold the run's secret", stale.Status.Detail);
    }

    /// <summary>A deadline for calls that a test expects to be refused at once: an accepted Pull would wait for frames.</summary>
    private static DateTime Soon => DateTime.UtcNow.AddSeconds(10);

    /// <summary>What genuine rank 1 answers to a Hello from rank 0 with this nonce.</summary>
    private static HelloReply Genuine(RingOptions rank1, byte[] clientNonce)
    {
        var serverNonce = RingHandshake.NewNonce();
        return new HelloReply
        {
            Rank = 1,
            WorldSize = rank1.WorldSize,
            ServerNonce = ByteString.CopyFrom(serverNonce),
            ServerProof = ByteString.CopyFrom(new RingHandshake(rank1).ServerProof(1, 0, clientNonce, serverNonce)),
        };
    }

    private static HelloReply Forged(RingOptions rank1) => new()
    {
        Rank = 1,
        WorldSize = rank1.WorldSize,
        ServerNonce = ByteString.CopyFrom(RingHandshake.NewNonce()),
        ServerProof = ByteString.CopyFrom(RingHandshake.NewNonce()),
    };

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
