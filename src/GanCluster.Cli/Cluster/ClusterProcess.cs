namespace GanCluster.Cli.Cluster;

/// <summary>
/// A process that `up` started, as the kernel knew it then: its pid, its start time and the program it runs (a dll's
/// or an executable's file name). Once the process has gone its pid may name someone else's process, so the pid
/// alone is never trusted; <see cref="Running"/> is the one check that `up`, `down` and the CLI make.
/// </summary>
internal sealed record ClusterProcess(int Pid, long? StartTime, string Program)
{
    /// <summary>
    /// True while this very process runs: the pid is alive, started when recorded (a cluster.json written before start
    /// times were recorded has none: then the command line alone decides) and runs <see cref="Program"/>.
    /// </summary>
    public bool Running =>
        ProcessIds.Alive(Pid, StartTime)
        && ProcessIds.CommandLine(Pid).Any(argument => Path.GetFileName(argument) == Program);
}
