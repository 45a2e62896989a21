using System.Security.Cryptography;
using System.Text;
using GanCluster.Contracts.Collective;
using Grpc.Core;

namespace GanCluster.Distributed.Collective;

/// <summary>The receiving half of a rank: accepts its left neighbour's hello and streams, after checking the run secret.</summary>
internal sealed class CollectiveService(RingOptions options, RingInbox inbox) : Contracts.Collective.Collective.CollectiveBase
{
    public const string SecretHeader = "x-gancluster-run-secret";
    public const string RankHeader = "x-gancluster-rank";

    private readonly byte[] _secret = Encoding.UTF8.GetBytes(options.Secret);

    public override Task<HelloReply> Hello(HelloRequest request, ServerCallContext context)
    {
        Authenticate(context);
        if (request.RunId != options.RunId)
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"this rank belongs to run '{options.RunId}', not '{request.RunId}'"));
        if (request.WorldSize != options.WorldSize || request.Rank != options.Left)
            throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"rank {options.Rank} of {options.WorldSize} expects rank {options.Left} on its left, not rank {request.Rank} of {request.WorldSize}"));
        inbox.Greet();
        return Task.FromResult(new HelloReply { Rank = options.Rank, WorldSize = options.WorldSize });
    }

    public override async Task<PushSummary> Push(IAsyncStreamReader<RingFrame> requestStream, ServerCallContext context)
    {
        Authenticate(context);
        var sender = context.RequestHeaders.GetValue(RankHeader);
        if (sender != options.Left.ToString(System.Globalization.CultureInfo.InvariantCulture))
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"rank {options.Rank} only accepts frames from rank {options.Left}, not from '{sender}'"));
        var who = $"rank {options.Left} ({options.Endpoints[options.Left]})";
        ulong frames = 0;
        try
        {
            while (await requestStream.MoveNext(context.CancellationToken))
            {
                inbox.Deliver(requestStream.Current);
                frames++;
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or RpcException or InvalidOperationException)
        {
            inbox.Fail($"{who} dropped its connection ({e.GetType().Name}: {e.Message})");
            throw;
        }
        inbox.StreamEnded(who);
        return new PushSummary { Frames = frames };
    }

    private void Authenticate(ServerCallContext context)
    {
        var presented = context.RequestHeaders.GetValue(SecretHeader);
        if (presented is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _secret))
            throw new RpcException(new Status(StatusCode.Unauthenticated, "missing or wrong run secret"));
    }
}
