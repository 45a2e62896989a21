using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GanCluster.Bench;

/// <summary>
/// The ceiling of the transport the ring is built on, without the ring: <c>streams</c> gRPC server streams at once on
/// loopback (Kestrel writes prebuilt messages, one span each, HttpClient receives them into a reused array: the fewest copies a gRPC
/// stream allows), against as many plain TCP socket pairs moving the same bytes, in alternating rounds. Two streams
/// are what a rank of a 2-rank ring does: it sends one and receives one at the same time, on cores the other rank shares.
/// An all-reduce of S bytes at N = 2 moves S bytes each way per rank, so S / (one stream's rate with two streams running)
/// is the least time a ring over this gRPC stack can take.
/// </summary>
internal static class GrpcStreamCeiling
{
    private static readonly Method<byte[], byte[]> Pull = new(MethodType.ServerStreaming, "bench.Stream", "Pull",
        Marshallers.Create(r => r, b => b),
        Marshallers.Create<byte[]>(WriteInOneSpan, Received));

    /// <summary>The server's marshaller: each message written into one span of Kestrel's pipe, as the ring's CollectiveMethods does.</summary>
    private static void WriteInOneSpan(byte[] message, SerializationContext context)
    {
        context.SetPayloadLength(message.Length);
        var writer = context.GetBufferWriter();
        message.CopyTo(writer.GetSpan(message.Length));
        writer.Advance(message.Length);
        context.Complete();
    }

    [ThreadStatic]
    private static byte[]? _sink;

    /// <summary>Copies the payload once into a reused array (as the ring's pooled receive does) and returns it.</summary>
    private static byte[] Received(DeserializationContext context)
    {
        var length = context.PayloadLength;
        if (_sink is null || _sink.Length < length)
            _sink = new byte[length];
        var sequence = context.PayloadAsReadOnlySequence();
        System.Buffers.BuffersExtensions.CopyTo(sequence, _sink);
        return _sink;
    }

    public static int Run(long bytes, int chunkBytes, int streams, int rounds)
    {
        var port = GanCluster.Collective.FreePorts.Take(1)[0];
        var app = Server(port, chunkBytes);
        app.StartAsync().GetAwaiter().GetResult();
        var channels = Enumerable.Range(0, streams).Select(_ => Client(port, chunkBytes)).ToArray();
        Console.WriteLine($"{streams} stream(s) at once, {bytes >> 20} MiB each in {chunkBytes >> 10} KiB messages, {rounds} alternating rounds");
        var grpc = new List<double>();
        var tcp = new List<double>();
        Time(() => GrpcRound(channels, bytes));   // warm-up
        Time(() => SocketRound(streams, bytes, chunkBytes));
        for (var r = 0; r < rounds; r++)
        {
            grpc.Add(Time(() => GrpcRound(channels, bytes)));
            tcp.Add(Time(() => SocketRound(streams, bytes, chunkBytes)));
        }
        grpc.Sort();
        tcp.Sort();
        double Rate(double ms) => bytes / (ms / 1e3) / 1e6;
        var (g, t) = (grpc[grpc.Count / 2], tcp[tcp.Count / 2]);
        Console.WriteLine("| transport | time per stream (median) | rate per stream | all streams |");
        Console.WriteLine("|---|---|---|---|");
        Console.WriteLine(FormattableString.Invariant($"| gRPC server stream (Kestrel → HttpClient) | {g:0.0} ms | {Rate(g):0} MB/s | {Rate(g) * streams:0} MB/s |"));
        Console.WriteLine(FormattableString.Invariant($"| TCP socket | {t:0.0} ms | {Rate(t):0} MB/s | {Rate(t) * streams:0} MB/s |"));
        Console.WriteLine(FormattableString.Invariant($"gRPC / TCP: {t / g:0.00}; rounds gRPC {string.Join(", ", grpc.Select(x => x.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)))} ms"));
        foreach (var c in channels)
            c.Dispose();
        app.StopAsync().GetAwaiter().GetResult();
        return 0;
    }

    private static double Time(Action round)
    {
        var clock = Stopwatch.StartNew();
        round();
        return clock.Elapsed.TotalMilliseconds;
    }

    private static WebApplication Server(int port, int chunkBytes)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http2);
            // The ring's settings (RingServer.Build).
            kestrel.Limits.Http2.InitialConnectionWindowSize = 32 << 20;
            kestrel.Limits.Http2.InitialStreamWindowSize = 16 << 20;
        });
        builder.Services.AddGrpc(grpc => grpc.MaxReceiveMessageSize = chunkBytes + 4096);
        builder.Services.AddSingleton<IServiceMethodProvider<StreamService>, StreamMethods>();
        var app = builder.Build();
        app.MapGrpcService<StreamService>();
        return app;
    }

    private static GrpcChannel Client(int port, int chunkBytes) => GrpcChannel.ForAddress($"http://127.0.0.1:{port}", new GrpcChannelOptions
    {
        // One connection per stream, as the ring's channels are.
        HttpHandler = new SocketsHttpHandler { InitialHttp2StreamWindowSize = 16 << 20, EnableMultipleHttp2Connections = true },
        MaxReceiveMessageSize = chunkBytes + 4096,
    });

    private static void GrpcRound(GrpcChannel[] channels, long bytes)
    {
        var request = BitConverter.GetBytes(bytes);
        Task.WaitAll(channels.Select(channel => Task.Run(async () =>
        {
            using var call = channel.CreateCallInvoker().AsyncServerStreamingCall(Pull, null, new CallOptions(), request);
            long received = 0;
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
                received += call.ResponseStream.Current.Length;
            if (received < bytes)
                throw new InvalidOperationException($"received {received} of {bytes} bytes");
        })).ToArray());
    }

    private static void SocketRound(int streams, long bytes, int chunkBytes)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(streams);
        Task.WaitAll(Enumerable.Range(0, streams).Select(_ => Task.Run(async () =>
        {
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            var accept = listener.AcceptAsync();
            await client.ConnectAsync(listener.LocalEndPoint!);
            using var server = await accept;
            var send = Task.Run(async () =>
            {
                var chunk = new byte[chunkBytes];
                for (long sent = 0; sent < bytes; sent += chunkBytes)
                    await server.SendAsync(chunk.AsMemory(0, (int)Math.Min(chunkBytes, bytes - sent)), SocketFlags.None);
            });
            var buffer = new byte[chunkBytes];
            long got = 0;
            while (got < bytes)
                got += await client.ReceiveAsync(buffer, SocketFlags.None);
            await send;
        })).ToArray());
    }

    private sealed class StreamService;

    private sealed class StreamMethods : IServiceMethodProvider<StreamService>
    {
        public void OnServiceMethodDiscovery(ServiceMethodProviderContext<StreamService> context) =>
            context.AddServerStreamingMethod(Pull, [], async (StreamService _, byte[] request, IServerStreamWriter<byte[]> writer, ServerCallContext call) =>
            {
                var total = BitConverter.ToInt64(request);
                var chunk = new byte[(int)Math.Min(total, 1 << 20)];
                for (long sent = 0; sent < total; sent += chunk.Length)
                    await writer.WriteAsync(chunk);
            });
    }
}
