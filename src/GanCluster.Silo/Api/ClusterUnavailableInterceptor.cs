using Grpc.Core;
using Grpc.Core.Interceptors;

namespace GanCluster.Silo.Api;

/// <summary>
/// While a silo is dying and the others have not yet declared it dead (a few seconds), calls to grains it held
/// fail inside Orleans. The API reports those as <c>Unavailable</c> with what happened, so clients know a retry
/// will succeed, instead of an opaque <c>Unknown</c>.
/// </summary>
public sealed class ClusterUnavailableInterceptor : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e) when (IsTransient(e))
        {
            throw Unavailable(e);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception e) when (IsTransient(e))
        {
            throw Unavailable(e);
        }
    }

    private static bool IsTransient(Exception e) =>
        e is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException or Orleans.Runtime.Messaging.ConnectionFailedException
        || (e is AggregateException a && a.InnerExceptions.All(IsTransient));

    private static RpcException Unavailable(Exception e) => new(new Status(StatusCode.Unavailable,
        $"the cluster is failing over (a silo is unreachable; its grains move to the others within seconds): {e.GetType().Name}: {FirstLine(e.Message)}"));

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();
}
