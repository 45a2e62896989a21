using System.Diagnostics;
using GanCluster.Silo.Telemetry;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace GanCluster.Silo.Api;

/// <summary>Times every API call and counts failures by method and status code (the outermost interceptor, so refusals count too).</summary>
public sealed class ApiMetricsInterceptor(ControlPlaneMeter meter) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await continuation(request, context);
            meter.Call(Method(context), Stopwatch.GetElapsedTime(started), null);
            return response;
        }
        catch (RpcException e)
        {
            meter.Call(Method(context), Stopwatch.GetElapsedTime(started), e.StatusCode.ToString());
            throw;
        }
        catch (Exception)
        {
            meter.Call(Method(context), Stopwatch.GetElapsedTime(started), nameof(StatusCode.Unknown));
            throw;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var started = Stopwatch.GetTimestamp();
        string? failure = null;
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (RpcException e)
        {
            failure = e.StatusCode.ToString();
            throw;
        }
        catch (Exception) when (!context.CancellationToken.IsCancellationRequested)
        {
            failure = nameof(StatusCode.Unknown);
            throw;
        }
        finally
        {
            meter.Call(Method(context), Stopwatch.GetElapsedTime(started), failure);
        }
    }

    /// <summary>The method's short name (<c>SubmitRun</c>): a bounded label.</summary>
    private static string Method(ServerCallContext context) => context.Method[(context.Method.LastIndexOf('/') + 1)..];
}
