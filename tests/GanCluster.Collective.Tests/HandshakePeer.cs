using GanCluster.Collective.Wire;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace GanCluster.Collective.Tests;

/// <summary>A test client that speaks the ring handshake step by step, so a test can forge, skip or replay any step.</summary>
internal sealed class HandshakePeer(string endpoint) : IDisposable
{
    private readonly GrpcChannel _channel = GrpcChannel.ForAddress("http://" + endpoint);

    public Wire.Collective.CollectiveClient Client => new(_channel);

    /// <summary>Hello as rank <paramref name="rank"/> with a fresh nonce; returns the nonce and the server's answer, unchecked.</summary>
    public async Task<(byte[] ClientNonce, HelloReply Reply)> HelloAsync(RingOptions options, int rank)
    {
        var nonce = RingHandshake.NewNonce();
        var reply = await Client.HelloAsync(new HelloRequest { RunId = options.RunId, Rank = rank, WorldSize = options.WorldSize, ClientNonce = ByteString.CopyFrom(nonce) },
            deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: TestContext.Current.CancellationToken);
        return (nonce, reply);
    }

    /// <summary>The Pull request a client holding <paramref name="secret"/> would send after that Hello.</summary>
    public static PullRequest Proving(string secret, RingOptions options, int rank, byte[] clientNonce, HelloReply reply) => new()
    {
        Rank = rank,
        Channel = 0,
        ServerNonce = reply.ServerNonce,
        ClientProof = ByteString.CopyFrom(new RingHandshake(secret, options.RunId, options.WorldSize)
            .ClientProof(reply.Rank, rank, clientNonce, reply.ServerNonce.Span)),
    };

    /// <summary>Checks that the server accepted a Pull: its first frame is a heartbeat (a refusal ends the call instead).</summary>
    public static async Task AssertAcceptedAsync(AsyncServerStreamingCall<RingFrame> pull)
    {
        Assert.True(await pull.ResponseStream.MoveNext(TestContext.Current.CancellationToken));
        Assert.True(pull.ResponseStream.Current.Heartbeat);
    }

    public void Dispose() => _channel.Dispose();
}
