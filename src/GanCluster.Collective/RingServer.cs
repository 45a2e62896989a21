using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GanCluster.Collective;

/// <summary>
/// The listening half of a rank: Kestrel serving <see cref="CollectiveService"/> over HTTP/2 on the rank's TCP endpoint,
/// and on its Unix domain socket unless the transport is TCP only, with the windows and limits bulk frames need.
/// </summary>
internal static class RingServer
{
    public static WebApplication Build(RingOptions options, RingOutbox outbox)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseSockets(sockets => sockets.CreateBoundListenSocket = endpoint =>
        {
            var socket = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
            if (endpoint is System.Net.Sockets.UnixDomainSocketEndPoint)
                (socket.SendBufferSize, socket.ReceiveBufferSize) = (UnixSocketLink.BufferBytes, UnixSocketLink.BufferBytes);
            return socket;
        });
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            void Configure(ListenOptions listen)
            {
                listen.Protocols = HttpProtocols.Http2;
                if (options.Certificate is { } certificate)
                    listen.UseHttps(certificate);
            }
            // The socket binds first, so that a neighbour whose TCP Hello succeeds finds it in place.
            if (options.Transport != RingTransport.Tcp)
                kestrel.ListenUnixSocket(UnixSocketLink.PrepareListener(options), Configure);
            kestrel.Listen(RingOptions.ParseEndpoint(options.Endpoints[options.Rank]), Configure);
            // Large HTTP/2 windows: the default 768 KiB stream window stalls a loopback sender every few chunks.
            kestrel.Limits.Http2.InitialConnectionWindowSize = 32 << 20;
            kestrel.Limits.Http2.InitialStreamWindowSize = 16 << 20;
            kestrel.Limits.Http2.MaxStreamsPerConnection = 256;
            kestrel.Limits.MaxRequestBodySize = null;
        });
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = options.ChunkBytes + 4096;
            grpc.EnableDetailedErrors = true;
        });
        builder.Services.AddSingleton<Grpc.AspNetCore.Server.Model.IServiceMethodProvider<CollectiveService>, CollectiveMethods>();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(outbox);
        builder.Services.AddSingleton(new RingHandshake(options));
        // A client redeems its challenge right after Hello; one left open this long belongs to a caller that gave up.
        builder.Services.AddSingleton(new RingChallenges(lifetime: TimeSpan.FromSeconds(30)));
        var app = builder.Build();
        app.MapGrpcService<CollectiveService>();
        return app;
    }
}
