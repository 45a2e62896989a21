using System.Diagnostics;
using System.Net.Security;
using System.Security.Authentication;
using GanCluster.Collective.Wire;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace GanCluster.Collective;

/// <summary>
/// One HTTP/2 connection to the left neighbour with one long-lived Pull stream, read into the inbox. It is opened by
/// a handshake on that connection: the neighbour proves it holds the run's secret before this rank sends its own proof.
/// </summary>
internal sealed class LeftLink : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly AsyncServerStreamingCall<ReceivedFrame> _call;
    private readonly CancellationTokenSource _closing = new();

    private readonly UnixSocketLink _transport;

    private LeftLink(GrpcChannel channel, PullRequest request, UnixSocketLink transport)
    {
        (_channel, _transport) = (channel, transport);
        // The generated client would parse each chunk into a new ByteString; this one reads it into a pooled array.
        _call = channel.CreateCallInvoker().AsyncServerStreamingCall(CollectiveMethods.PullReceiving, null, new CallOptions(cancellationToken: _closing.Token), request);
    }

    /// <summary>The transport of this channel's connection.</summary>
    public RingTransport Transport => _transport.Used;

    /// <summary>
    /// Authenticates both ways with the left neighbour, retrying while it is not up yet (until the connect timeout
    /// counted on <paramref name="clock"/>), then opens this channel's Pull stream once the neighbour has accepted our proof.
    /// </summary>
    public static async Task<LeftLink> OpenAsync(RingOptions options, RingHandshake handshake, int channel, RingInbox inbox, Stopwatch clock,
        CancellationToken cancellation)
    {
        var who = $"rank {options.Left} ({options.Endpoints[options.Left]})";
        var transport = new UnixSocketLink(options);
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = transport.ConnectAsync,
            EnableMultipleHttp2Connections = true,
            // Frames come in responses: let the sender run far ahead of our reads.
            InitialHttp2StreamWindowSize = 16 << 20,
            ConnectTimeout = TimeSpan.FromSeconds(2),
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        };
        if (options.CertificateAuthority is { } authority)
            handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, presented, _, errors) => RingTls.IsTrusted(authority, presented, errors) };
        var grpc = GrpcChannel.ForAddress((options.UsesTls ? "https://" : "http://") + options.Endpoints[options.Left], new GrpcChannelOptions
        {
            HttpHandler = handler,
            MaxReceiveMessageSize = options.ChunkBytes + 4096,
        });
        PullRequest request;
        try
        {
            request = await ProveAsync(grpc, options, handshake, channel, clock, cancellation);
        }
        catch
        {
            grpc.Dispose();
            throw;
        }
        var link = new LeftLink(grpc, request, transport);
        try
        {
            // The server's first frame, a heartbeat, says that it accepted our proof; a refusal ends the call instead.
            if (!await link._call.ResponseStream.MoveNext(cancellation).WaitAsync(TimeSpan.FromSeconds(10), cancellation))
                throw new RpcException(link._call.GetStatus());
            inbox.Deliver(link._call.ResponseStream.Current);
        }
        catch (Exception e) when (e is RpcException or TimeoutException)
        {
            link.Dispose();
            throw e is RpcException { StatusCode: StatusCode.Unauthenticated } refused
                ? new CollectiveException($"rank {options.Rank}: {who} refused our proof of the run's secret: {refused.Status.Detail}", e)
                : new CollectiveException($"rank {options.Rank}: {who} did not open channel {channel}: {(e is RpcException r ? $"{r.Status.Detail} ({r.StatusCode})" : e.Message)}", e);
        }
        catch
        {
            link.Dispose();
            throw;
        }
        _ = Task.Run(() => link.ReadAsync(inbox, who));
        return link;
    }

    /// <summary>Hello with a fresh nonce; checks the neighbour's proof before anything else goes out, and returns the Pull that proves us.</summary>
    private static async Task<PullRequest> ProveAsync(GrpcChannel grpc, RingOptions options, RingHandshake handshake, int channel, Stopwatch clock,
        CancellationToken cancellation)
    {
        var left = options.Left;
        var client = new Wire.Collective.CollectiveClient(grpc);
        while (true)
        {
            var clientNonce = RingHandshake.NewNonce();
            HelloReply reply;
            try
            {
                reply = await client.HelloAsync(new HelloRequest
                {
                    RunId = options.RunId,
                    Rank = options.Rank,
                    WorldSize = options.WorldSize,
                    ClientNonce = UnsafeByteOperations.UnsafeWrap(clientNonce),
                }, deadline: DateTime.UtcNow.AddSeconds(2), cancellationToken: cancellation);
            }
            catch (RpcException e) when (e.Status.DebugException is HttpRequestException { InnerException: AuthenticationException })
            {
                throw new CollectiveException($"rank {options.Rank}: the listener at {options.Endpoints[left]} presented no certificate of the ring's authority "
                    + $"for that address, so it is not rank {left}: possibly an impostor on that port. Nothing was sent to it.", e);
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded && clock.Elapsed < options.ConnectTimeout)
            {
                await Task.Delay(50, cancellation);
                continue;
            }
            catch (RpcException e)
            {
                throw new CollectiveException($"rank {options.Rank} could not join rank {left} at {options.Endpoints[left]} within {options.ConnectTimeout.TotalSeconds:0} s: {e.Status.Detail} ({e.StatusCode})", e);
            }
            if (reply.Rank != left || reply.WorldSize != options.WorldSize || reply.ServerNonce.Length != RingHandshake.NonceBytes
                || !handshake.IsServerProof(reply.ServerProof.Span, left, options.Rank, clientNonce, reply.ServerNonce.Span))
                throw new CollectiveException($"rank {options.Rank}: the listener at {options.Endpoints[left]} failed to prove that it holds the run's secret, "
                    + $"so it is not rank {left} of run '{options.RunId}': possibly an impostor on that port (or a rank started with another secret). Nothing was sent to it.");
            var serverNonce = reply.ServerNonce.ToByteArray();
            return new PullRequest
            {
                Rank = options.Rank,
                Channel = channel,
                ServerNonce = UnsafeByteOperations.UnsafeWrap(serverNonce),
                ClientProof = UnsafeByteOperations.UnsafeWrap(handshake.ClientProof(left, options.Rank, clientNonce, serverNonce)),
            };
        }
    }

    private async Task ReadAsync(RingInbox inbox, string who)
    {
        try
        {
            while (await _call.ResponseStream.MoveNext(_closing.Token))
                inbox.Deliver(_call.ResponseStream.Current);
            inbox.StreamEnded(who);
        }
        catch (Exception e) when (e is RpcException or IOException or OperationCanceledException or InvalidOperationException)
        {
            if (!_closing.IsCancellationRequested)
                inbox.Fail($"{who} dropped its connection ({(e is RpcException r ? r.Status.Detail : e.Message)})");
        }
    }

    public void Dispose()
    {
        _closing.Cancel();
        _call.Dispose();
        _channel.Dispose();
        _closing.Dispose();
    }
}
