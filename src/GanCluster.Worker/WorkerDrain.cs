using System.Net;
using GanCluster.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace GanCluster.Worker;

/// <summary>
/// Draining a worker before its pod stops (the manifests' preStop hook): <c>POST /drain</c> on the metrics port,
/// answered once the worker's rank has stopped with its run requeued from its checkpoint and the worker has left
/// the scheduler. Only the pod itself may ask (the request must come from the address it was made to, or from
/// loopback): the metrics port is reachable from Prometheus, which must not be able to drain workers.
/// <c>GanCluster.Worker.dll --drain PORT</c> is the hook's client: it posts to <c>$POD_IP</c> (or 127.0.0.1) and
/// waits.
/// </summary>
public static class WorkerDrain
{
    public static WebApplication MapWorkerDrain(this WebApplication app)
    {
        app.MapPost("/drain", async (HttpContext context, WorkerLoop worker) =>
        {
            var (remote, local) = (context.Connection.RemoteIpAddress, context.Connection.LocalIpAddress);
            if (remote is null || !(IPAddress.IsLoopback(remote) || remote.Equals(local)))
                return Results.Text("only the worker's own pod may drain it\n", statusCode: StatusCodes.Status403Forbidden);
            await worker.DrainAsync("its pod is stopping (preStop drain)");
            return Results.Text("drained\n");
        }).OnMetricsPortOnly();
        return app;
    }

    public static bool TryRun(string[] args, out int exitCode)
    {
        exitCode = 0;
        if (args is not ["--drain", var port])
            return false;
        var host = Environment.GetEnvironmentVariable("POD_IP") is { Length: > 0 } ip ? ip : "127.0.0.1";
        // Bounded by the pod's termination grace period; a rank finishing a long step needs the time.
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
        try
        {
            using var response = http.PostAsync($"http://{host}:{port}/drain", null).GetAwaiter().GetResult();
            Console.WriteLine($"drain: {(int)response.StatusCode} {response.Content.ReadAsStringAsync().GetAwaiter().GetResult().Trim()}");
            exitCode = response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or UriFormatException)
        {
            Console.Error.WriteLine($"drain http://{host}:{port}/drain: {e.Message}");
            exitCode = 1;
        }
        return true;
    }
}
