using GanCluster.Collective.Wire;
using Google.Protobuf;
using Grpc.Core;

namespace GanCluster.Collective;

/// <summary>
/// The sending half of a rank: answers its right neighbour's Hello with a proof that it holds the run's secret, and
/// serves a Pull stream only to a caller that proves the same for one of those Hellos (<see cref="RingHandshake"/>).
/// </summary>
internal sealed class CollectiveService(RingOptions options, RingOutbox outbox, RingHandshake handshake, RingChallenges challenges)
{
    public Task<HelloReply> Hello(HelloRequest request, ServerCallContext context)
    {
        if (request.ClientNonce.Length != RingHandshake.NonceBytes)
            throw new RpcException(new Status(StatusCode.Unauthenticated,
                $"Hello needs a {RingHandshake.NonceBytes}-byte client nonce: rank {options.Rank} authenticates its peers both ways"));
        // The caller has proved nothing yet: name its run, not ours.
        if (request.RunId != options.RunId)
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"rank {options.Rank} does not belong to run '{request.RunId}'"));
        if (request.WorldSize != options.WorldSize || request.Rank != options.Right)
            throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"rank {options.Rank} of {options.WorldSize} expects rank {options.Right} on its right, not rank {request.Rank} of {request.WorldSize}"));
        var clientNonce = request.ClientNonce.ToByteArray();
        var serverNonce = challenges.Issue(request.Rank, clientNonce)
            ?? throw new RpcException(new Status(StatusCode.ResourceExhausted, $"rank {options.Rank} has too many open handshakes"));
        return Task.FromResult(new HelloReply
        {
            Rank = options.Rank,
            WorldSize = options.WorldSize,
            ServerNonce = UnsafeByteOperations.UnsafeWrap(serverNonce),
            ServerProof = UnsafeByteOperations.UnsafeWrap(handshake.ServerProof(options.Rank, request.Rank, clientNonce, serverNonce)),
        });
    }

    public async Task Pull(PullRequest request, IServerStreamWriter<RingFrame> responseStream, ServerCallContext context)
    {
        Authenticate(request);
        if (request.Rank != options.Right)
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"rank {options.Rank} only sends to rank {options.Right}, not to rank {request.Rank}"));
        if (request.Channel < 0 || request.Channel >= outbox.Channels)
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"channel {request.Channel} is not in 0..{outbox.Channels - 1}"));
        // A first heartbeat tells the client that its proof was accepted, before any data is ready.
        await responseStream.WriteAsync(new RingFrame { Heartbeat = true }, context.CancellationToken);
        var queue = outbox.Attach(request.Channel);
        Exception? failure = null;
        await foreach (var item in queue.ReadAllAsync(CancellationToken.None))
        {
            if (failure is null)
            {
                try
                {
                    await responseStream.WriteAsync(item.Frame, context.CancellationToken);
                }
                catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException or RpcException)
                {
                    failure = e;
                }
            }
            item.Release();
            // A lost heartbeat is no error (the neighbour may simply be done); lost collective data is. Keep draining,
            // so that a waiting collective hears of the failure instead of hanging.
            if (item.Tracked)
            {
                if (failure is not null)
                    outbox.SendFailed?.Invoke(failure);
                outbox.FrameSent?.Invoke();
            }
        }
    }

    /// <summary>Redeems the Hello challenge this Pull names (once only) and checks the client's proof for it.</summary>
    private void Authenticate(PullRequest request)
    {
        var challenge = challenges.Redeem(request.ServerNonce.Span)
            ?? throw new RpcException(new Status(StatusCode.Unauthenticated,
                $"rank {options.Rank} has no open handshake for this Pull (none, expired, or already used: a proof counts once)"));
        if (request.Rank != challenge.ClientRank
            || !handshake.IsClientProof(request.ClientProof.Span, options.Rank, challenge.ClientRank, challenge.ClientNonce, request.ServerNonce.Span))
            throw new RpcException(new Status(StatusCode.Unauthenticated,
                $"rank {options.Rank} refused the caller's proof: it does not hold the run's secret"));
    }
}
