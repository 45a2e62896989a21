namespace GanCluster.Cli.Cluster;

/// <summary>
/// The one way `up` and `down` start and stop the cluster's processes: <c>dotnet PROGRAM.dll</c> in its own session
/// (so it outlives this command and ignores the terminal's Ctrl+C), output appended to its log, stopped by pid.
/// </summary>
internal static class LocalProcesses
{
    /// <summary>How long a stopping worker gets to checkpoint and report before it is killed.</summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(15);

    public static int StartDotnet(string dll, IReadOnlyList<string> arguments, string log, IReadOnlyDictionary<string, string>? environment = null) =>
        PosixProcess.Start(ResolveDotnet(), [dll, .. arguments], log, ownSession: true, environment);

    /// <summary>SIGTERM to all, then SIGKILL to whoever is left after the grace period.</summary>
    public static void Stop(IEnumerable<int> pids)
    {
        var running = pids.Where(ProcessIds.Alive).ToList();
        Parallel.ForEach(running, pid => PosixProcess.Terminate(pid, StopGrace));
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
