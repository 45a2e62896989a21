using System.Diagnostics;

namespace GanCluster.Cli.Cluster;

/// <summary>Waits for a local process's <c>/health/ready</c> (the way Kubernetes would), failing fast when the process dies.</summary>
internal static class HealthProbe
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(2) };

    public static void WaitReady(string what, int pid, int metricsPort, TimeSpan timeout, string log)
    {
        var url = $"http://127.0.0.1:{metricsPort}/health/ready";
        var clock = Stopwatch.StartNew();
        var last = "no answer";
        while (true)
        {
            try
            {
                using var response = Http.GetAsync(url).GetAwaiter().GetResult();
                if (response.IsSuccessStatusCode)
                    return;
                last = $"{(int)response.StatusCode}: {response.Content.ReadAsStringAsync().GetAwaiter().GetResult()}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e.Message;
            }
            if (!ProcessIds.Alive(pid))
                throw new UsageException($"{what} (pid {pid}) exited before it was ready; its log {log} ends:\n{Tail(log)}");
            if (clock.Elapsed > timeout)
                throw new UsageException($"{what} was not ready after {timeout.TotalSeconds:0} s ({url}: {last}); see {log}");
            Thread.Sleep(100);
        }
    }

    private static string Tail(string log) =>
        File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(10)) : "(no log)";
}
