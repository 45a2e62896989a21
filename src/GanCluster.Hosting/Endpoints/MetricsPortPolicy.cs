using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;

namespace GanCluster.Hosting.Endpoints;

/// <summary>
/// Rejects <see cref="MetricsPortOnly"/> endpoints on any other local port. Unlike <c>RequireHost</c>, it checks the
/// connection's port rather than the Host header, and works when the port is only known after binding.
/// </summary>
internal sealed class MetricsPortPolicy(MetricsEndpoint metrics) : MatcherPolicy, IEndpointSelectorPolicy
{
    public override int Order => 0;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) =>
        endpoints.Any(e => e.Metadata.GetMetadata<MetricsPortOnly>() is not null);

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        for (var i = 0; i < candidates.Count; i++)
        {
            if (candidates[i].Endpoint.Metadata.GetMetadata<MetricsPortOnly>() is not null
                && httpContext.Connection.LocalPort != metrics.BoundPort)
                candidates.SetValidity(i, false);
        }
        return Task.CompletedTask;
    }
}
