using System.Security.Cryptography;
using System.Text;
using GanCluster.Collective.Wire;
using Grpc.Core;

namespace GanCluster.Collective;

/// <summary>The sending half of a rank: serves its right neighbour's hello and Pull streams, after checking the run secret.</summary>
internal sealed class CollectiveService(RingOptions options, RingOutbox outbox) : Wire.Collective.CollectiveBase
{
    public const string SecretHeader = "x-gancluster-run-secret";

    private readonly byte[] _secret = Encoding.UTF8.GetBytes(options.Secret);

    public override Task<HelloReply> Hello(HelloRequest request, ServerCallContext context)
    {
        Authenticate(context);
        if (request.RunId != options.RunId)
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"this rank belongs to run '{options.RunId}', not '{request.RunId}'"));
        if (request.WorldSize != options.WorldSize || request.Rank != options.Right)
            throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"rank {options.Rank} of {options.WorldSize} expects rank {options.Right} on its right, not rank {request.Rank} of {request.WorldSize}"));
        return Task.FromResult(new HelloReply { Rank = options.Rank, WorldSize = options.WorldSize });
    }

    public override async Task Pull(PullRequest request, IServerStreamWriter<RingFrame> responseStream, ServerCallContext context)
    {
        Authenticate(context);
        if (request.Rank != options.Right)
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"rank {options.Rank} only sends to rank {options.Right}, not to rank {request.Rank}"));
        if (request.Channel < 0 || request.Channel >= outbox.Channels)
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"channel {request.Channel} is not in 0..{outbox.Channels - 1}"));
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

    private void Authenticate(ServerCallContext context)
    {
        var presented = context.RequestHeaders.GetValue(SecretHeader);
        if (presented is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _secret))
            throw new RpcException(new Status(StatusCode.Unauthenticated, "missing or wrong run secret"));
    }
}
