using System.Diagnostics;

namespace GanCluster.Cli.Cluster;

/// <summary>
/// Waits for a local process to answer its readiness URL with 200 (the way Kubernetes probes), failing fast with
/// its log when the process dies: a silo's or worker's <c>/health/ready</c>, Prometheus' <c>/-/ready</c>.
/// </summary>
internal static class ReadinessProbe
{
    // A short timeout: a port that something else holds may accept the connection and never answer.
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromMilliseconds(1500) };

    /// <param name="log">Where the process's log is, with its last lines, for the error.</param>
    public static void Wait(string what, int pid, string url, TimeSpan timeout, Func<string> log)
    {
        var clock = Stopwatch.StartNew();
        var last = "no answer yet";
        while (true)
        {
            try
            {
                using var response = Http.Send(new HttpRequestMessage(HttpMethod.Get, url));
                if (response.IsSuccessStatusCode)
                    return;
                using var reader = new StreamReader(response.Content.ReadAsStream());
                last = $"HTTP {(int)response.StatusCode} {reader.ReadToEnd()}".Trim();
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e.Message;
            }
            if (!ProcessIds.Alive(pid))
                throw new UsageException($"{what} exited before it was ready (pid {pid}, {url}); log {log()}");
            if (clock.Elapsed > timeout)
                throw new UsageException($"{what} was not ready after {timeout.TotalSeconds:0} s ({url}: {last}); log {log()}");
            Thread.Sleep(100);
        }
    }

    /// <summary>A silo's or worker's <c>/health/ready</c> on its metrics port.</summary>
    public static void WaitHealthy(string what, int pid, int metricsPort, TimeSpan timeout, string logFile) =>
        Wait(what, pid, $"http://127.0.0.1:{metricsPort}/health/ready", timeout, () => $"{logFile}:\n{Tail(logFile)}");

    private static string Tail(string logFile) =>
        File.Exists(logFile) ? string.Join('\n', File.ReadLines(logFile).TakeLast(10).Select(l => "  " + l)) : "  (no log)";
}
