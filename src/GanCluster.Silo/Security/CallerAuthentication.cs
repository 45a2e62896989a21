using GanCluster.Contracts.Grains;
using GanCluster.Contracts.Security;
using Microsoft.Extensions.Logging;

namespace GanCluster.Silo.Security;

/// <summary>
/// Authenticates every call into the control plane's grains. A call from another grain is the silos' own. A call
/// from a client (a worker through the gateway, or the API hosted in the silo) must carry an id and the credential
/// the cluster key derives for that id; anything else is refused before the grain sees it. The verified caller is
/// then what <see cref="CallerIdentity.Current"/> returns inside the grain, which decides what that caller may do.
/// </summary>
public sealed class CallerAuthentication(ClusterKey key, ILogger<CallerAuthentication> logger) : IIncomingGrainCallFilter
{
    // Async, so that the identity set here flows into this call alone and never leaks into the runtime's context.
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.Grain is IRunGrain or ISchedulerGrain or ISweepGrain or ISweepIndexGrain)
            CallerIdentity.Current = Authenticate(context);
        await context.Invoke();
    }

    private CallerIdentity Authenticate(IIncomingGrainCallContext context)
    {
        if (context.SourceId is { } source && !source.Type.IsClient())
            return CallerIdentity.Internal;
        var id = RequestContext.Get(CallerCredential.IdKey) as string;
        var proof = RequestContext.Get(CallerCredential.ProofKey) as string;
        if (id == CallerCredential.ApiId && ClusterKey.Matches(key.ApiCredential(), proof))
            return CallerIdentity.Api;
        if (id is { Length: > 0 and <= 128 } && id != CallerCredential.ApiId && ClusterKey.Matches(key.WorkerCredential(id), proof))
            return new CallerIdentity(CallerKind.Worker, id);
        logger.LogWarning("Refused {Method} on {Grain} from {Source}: {Why}", context.InterfaceMethod?.Name, context.TargetId, context.SourceId,
            id is null ? "no credential" : $"a wrong credential for '{id}'");
        throw new UnauthorizedAccessException(id is null
            ? "calls into the cluster need a worker credential (Worker:CredentialFile)"
            : $"the credential presented for '{id}' is not valid for this cluster");
    }
}
