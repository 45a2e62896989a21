using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using GanCluster.Collective;

namespace GanCluster.Cli.Cluster;

/// <summary>
/// A Prometheus server on loopback for a local cluster: Debian's <c>/usr/bin/prometheus</c> with a generated
/// prometheus.yml whose one scrape job follows the targets file, ready once <c>/-/ready</c> answers 200.
/// Owned, it stops on dispose; detached, it outlives this process and <see cref="Stop"/> ends it by pid.
/// </summary>
internal sealed class LocalPrometheus : IDisposable
{
    public const string DefaultBinary = "/usr/bin/prometheus";
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);
    private readonly bool _owned;
    private bool _disposed;

    private LocalPrometheus(int pid, int port, string configFile, string logFile, bool owned)
    {
        Pid = pid;
        Port = port;
        ConfigFile = configFile;
        LogFile = logFile;
        _owned = owned;
    }

    public int Pid { get; }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    public string ConfigFile { get; }

    public string LogFile { get; }

    /// <summary>Writes prometheus.yml, starts Prometheus and waits until it is ready; a failure carries the tail of its log.</summary>
    public static LocalPrometheus Start(LocalPrometheusOptions options)
    {
        options.Validate();
        var binary = LocateBinary(options.Binary);
        var root = Path.GetFullPath(options.Directory);
        Directory.CreateDirectory(root);
        var configFile = Path.Combine(root, "prometheus.yml");
        var logFile = Path.Combine(root, "prometheus.log");
        File.WriteAllText(configFile, Configuration(options.ScrapeInterval, Path.GetFullPath(options.TargetsFile), options.TargetsRefresh));
        var port = options.Port ?? FreePorts.Take(1)[0];
        List<string> arguments =
        [
            $"--config.file={configFile}",
            $"--storage.tsdb.path={Path.Combine(root, "data")}",
            $"--web.listen-address=127.0.0.1:{port}",
        ];
        if (options.EnableLifecycle)
            arguments.Add("--web.enable-lifecycle");
        var logStart = File.Exists(logFile) ? new FileInfo(logFile).Length : 0;
        var pid = PosixProcess.Start(binary, arguments, logFile, ownSession: options.Detached);
        var prometheus = new LocalPrometheus(pid, port, configFile, logFile, owned: !options.Detached);
        try
        {
            prometheus.WaitUntilReady(options.ReadyTimeout, logStart);
        }
        catch
        {
            Stop(pid);
            throw;
        }
        return prometheus;
    }

    /// <summary>The executable to run: the one given, else /usr/bin/prometheus, else the first on PATH.</summary>
    public static string LocateBinary(string? given)
    {
        if (given is not null)
            return File.Exists(given) ? Path.GetFullPath(given) : throw Missing($"{given} does not exist");
        if (File.Exists(DefaultBinary))
            return DefaultBinary;
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "prometheus")).FirstOrDefault(File.Exists);
        return onPath ?? throw Missing($"not at {DefaultBinary} nor on PATH");
    }

    /// <summary>Stops the Prometheus with this pid (SIGTERM, SIGKILL after 10 s); does nothing if it has gone or the pid is now another program's.</summary>
    public static void Stop(int pid)
    {
        if (PosixProcess.Name(pid) is not "prometheus")
        {
            PosixProcess.Reap(pid);
            return;
        }
        if (!PosixProcess.Terminate(pid, StopGrace))
            throw new InvalidOperationException($"Prometheus (pid {pid}) is still running after SIGTERM and SIGKILL");
    }

    /// <summary>The generated configuration: one job whose targets, and their job labels, come from the discovery file.</summary>
    public static string Configuration(TimeSpan scrapeInterval, string targetsFile, TimeSpan targetsRefresh)
    {
        // Prometheus refuses a scrape timeout above the interval; its default is 10 s.
        var timeout = scrapeInterval < TimeSpan.FromSeconds(10) ? scrapeInterval : TimeSpan.FromSeconds(10);
        return $"""
            # Written by gancluster; rewritten on every start.
            global:
              scrape_interval: {Duration(scrapeInterval)}
              scrape_timeout: {Duration(timeout)}
              evaluation_interval: {Duration(scrapeInterval)}
            scrape_configs:
              - job_name: gancluster
                file_sd_configs:
                  - files: [{JsonSerializer.Serialize(targetsFile)}]
                    refresh_interval: {Duration(targetsRefresh)}

            """;
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        if (_owned)
            Stop(Pid);
    }

    private static string Duration(TimeSpan span) =>
        span.Milliseconds == 0 ? $"{(long)span.TotalSeconds}s" : $"{(long)span.TotalMilliseconds}ms";

    private static UsageException Missing(string why) =>
        new($"Prometheus not found ({why}): install it with `scripts/setup.sh --prometheus` (Debian's prometheus package)");

    private void WaitUntilReady(TimeSpan timeout, long logStart) =>
        ReadinessProbe.Wait("Prometheus", Pid, $"{Url}/-/ready", timeout, () => $"{LogFile}:\n{LogTail(logStart)}");

    /// <summary>The last 20 lines this start wrote (the log is appended to across restarts).</summary>
    private string LogTail(long from)
    {
        if (!File.Exists(LogFile))
            return "(no log)";
        using var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.Seek(Math.Min(from, stream.Length), SeekOrigin.Begin);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var lines = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return string.Join('\n', lines.TakeLast(20).Select(l => "  " + l));
    }
}
