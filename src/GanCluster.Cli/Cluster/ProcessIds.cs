namespace GanCluster.Cli.Cluster;

/// <summary>What <c>/proc</c> says about a pid: whether it runs, when it started and with what command line.</summary>
internal static class ProcessIds
{
    public static bool Alive(int pid) => Stat(pid) is { } fields && fields[0] != "Z";

    /// <summary>True while PID is alive and, given the START TIME it had, is still that process rather than one that reused its pid.</summary>
    public static bool Alive(int pid, long? startTime) => Alive(pid) && (startTime is null || StartTime(pid) == startTime);

    /// <summary>
    /// When the process started, in clock ticks after boot (<c>/proc/PID/stat</c> field 22), or null once it is gone:
    /// a pid with another start time is another process.
    /// </summary>
    public static long? StartTime(int pid) => Stat(pid) is { Length: > 19 } fields && long.TryParse(fields[19], out var ticks) ? ticks : null;

    /// <summary>The process's arguments, its program first (<c>/proc/PID/cmdline</c>), or empty once it is gone.</summary>
    public static IReadOnlyList<string> CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>The fields of <c>/proc/PID/stat</c> from field 3 (the state) on, or null once the process is gone.</summary>
    private static string[]? Stat(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // gone (also between checking and reading)
        }
        // Field 2 is the program's name in parentheses, and may itself hold spaces and parentheses.
        var end = stat.LastIndexOf(')');
        return end < 0 ? null : stat[(end + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }
}
