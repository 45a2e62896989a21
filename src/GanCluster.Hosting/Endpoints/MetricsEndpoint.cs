using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace GanCluster.Hosting.Endpoints;

/// <summary>The metrics port as actually bound, so a host started with port 0 can tell its scraper (and tests) where it is.</summary>
public sealed class MetricsEndpoint
{
    private ListenOptions? _listen;

    /// <summary>The bound port; throws until Kestrel has started.</summary>
    public int Port => BoundPort ?? throw new InvalidOperationException("the metrics port is known once the host has started");

    /// <summary>Base address of <c>/metrics</c> and <c>/health/*</c>.</summary>
    public Uri Address => new($"http://{_listen!.IPEndPoint!.Address}:{Port}/");

    internal int? BoundPort => _listen?.IPEndPoint is { Port: > 0 } bound ? bound.Port : null;

    /// <summary>Kestrel replaces the endpoint of these options with the bound one (port 0 becomes the real port).</summary>
    internal void Track(ListenOptions listen) => _listen = listen;
}
