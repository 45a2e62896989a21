namespace GanCluster.Hosting;

/// <summary>
/// <c>PROGRAM --probe URL</c>: exits 0 when URL answers 2xx within 3 s, 1 otherwise. The container images' health
/// check, since their base image has no HTTP client of its own.
/// </summary>
public static class HealthProbe
{
    public static bool TryRun(string[] args, out int exitCode)
    {
        exitCode = 0;
        if (args is not ["--probe", var url])
            return false;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = http.GetAsync(url).GetAwaiter().GetResult();
            exitCode = response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or UriFormatException or InvalidOperationException)
        {
            Console.Error.WriteLine($"probe {url}: {e.Message}");
            exitCode = 1;
        }
        return true;
    }
}
