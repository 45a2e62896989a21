using System.Net;

namespace GanCluster.Hosting.Tests;

/// <summary>Clients for the HTTP/2-only (gRPC-style) port: cleartext HTTP/2 with prior knowledge.</summary>
internal static class Http2
{
    public static HttpClient Client() => new()
    {
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(10),
    };
}
