using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using GanCluster.Collective.Wire;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GanCluster.Collective.Tests;

/// <summary>
/// A hostile local process on a rank's port, without the run's secret. It answers Hello as a rank would, with a
/// proof it cannot really make, and records everything it is sent: every byte that reaches the port (a TCP relay in
/// front of its gRPC server), and every request's path and decoded headers (HPACK may Huffman-code the raw ones).
/// </summary>
internal sealed class ImpostorListener : IAsyncDisposable
{
    private readonly TcpListener _front;
    private readonly WebApplication _server;
    private readonly int _serverPort;
    private readonly MemoryStream _received = new();
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _relays = [];
    private Task _accepting = Task.CompletedTask;

    private ImpostorListener(IPEndPoint endpoint, Func<HelloRequest, HelloReply> answer)
    {
        _front = new TcpListener(endpoint);
        _serverPort = FreePorts.Take(1)[0];
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, _serverPort, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(new ImpostorService(answer));
        _server = builder.Build();
        _server.Use(async (HttpContext context, RequestDelegate next) =>
        {
            _requests.Enqueue(context.Request.Path + "\n" + string.Join("\n", context.Request.Headers.Select(h => $"{h.Key}: {h.Value}")));
            await next(context);
        });
        _server.MapGrpcService<ImpostorService>();
    }

    /// <summary>Every byte any connection sent to the port, in arrival order per connection.</summary>
    public byte[] ReceivedBytes
    {
        get
        {
            lock (_received)
                return _received.ToArray();
        }
    }

    /// <summary>Each request as its path, then its decoded headers, one per line.</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    public static async Task<ImpostorListener> StartAsync(IPEndPoint endpoint, Func<HelloRequest, HelloReply> answer)
    {
        var impostor = new ImpostorListener(endpoint, answer);
        await impostor._server.StartAsync();
        impostor._front.Start();
        impostor._accepting = impostor.AcceptAsync();
        return impostor;
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _front.AcceptTcpClientAsync(_stopping.Token);
                lock (_relays)
                    _relays.Add(RelayAsync(client));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var _ = client;
        using var server = new TcpClient();
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, _serverPort, _stopping.Token);
            var inbound = client.GetStream();
            var outbound = server.GetStream();
            await Task.WhenAny(RecordAsync(inbound, outbound), outbound.CopyToAsync(inbound, _stopping.Token));
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task RecordAsync(NetworkStream from, NetworkStream to)
    {
        var buffer = new byte[64 << 10];
        int read;
        while ((read = await from.ReadAsync(buffer, _stopping.Token)) > 0)
        {
            lock (_received)
                _received.Write(buffer, 0, read);
            await to.WriteAsync(buffer.AsMemory(0, read), _stopping.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _front.Stop();
        await _accepting;
        Task[] relays;
        lock (_relays)
            relays = [.. _relays];
        await Task.WhenAll(relays);
        await _server.StopAsync();
        await _server.DisposeAsync();
        _stopping.Dispose();
    }

    /// <summary>Answers Hello as it is told; Pull is not implemented, and no genuine rank should ever get that far.</summary>
    private sealed class ImpostorService(Func<HelloRequest, HelloReply> answer) : Wire.Collective.CollectiveBase
    {
        public override Task<HelloReply> Hello(HelloRequest request, ServerCallContext context) => Task.FromResult(answer(request));
    }
}
