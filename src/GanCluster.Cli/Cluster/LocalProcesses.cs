namespace GanCluster.Cli.Cluster;

/// <summary>
/// The one way `up` and `down` start and stop the cluster's processes: <c>dotnet PROGRAM.dll</c> in its own session
/// (so it outlives this command and ignores the terminal's Ctrl+C), output appended to its log, stopped by pid once
/// that pid is known still to be the same process.
/// </summary>
internal static class LocalProcesses
{
    /// <summary>How long a stopping worker gets to checkpoint and report before it is killed.</summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(15);

    public static ClusterProcess StartDotnet(string dll, IReadOnlyList<string> arguments, string log, IReadOnlyDictionary<string, string>? environment = null)
    {
        var pid = PosixProcess.Start(ResolveDotnet(), [dll, .. arguments], log, ownSession: true, environment);
        // Our child until `up` exits, so its pid cannot have been reused yet.
        return new ClusterProcess(pid, ProcessIds.StartTime(pid), Path.GetFileName(dll));
    }

    /// <summary>SIGTERM to those still running, then SIGKILL to whoever is left after the grace period; a reused pid is left alone.</summary>
    public static void Stop(IEnumerable<ClusterProcess> processes)
    {
        var running = processes.Where(p => p.Running).ToList();
        Parallel.ForEach(running, p => PosixProcess.Terminate(p.Pid, StopGrace, p.StartTime));
    }

    private static string ResolveDotnet()
    {
        var host = DotnetHost.Path;
        if (Path.IsPathRooted(host))
            return host;
        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, host)).FirstOrDefault(File.Exists)
            ?? throw new UsageException("the dotnet host was not found on PATH");
    }
}
