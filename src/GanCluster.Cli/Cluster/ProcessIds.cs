namespace GanCluster.Cli.Cluster;

/// <summary>Liveness of the cluster's processes by pid (they are not our children once `up` has returned).</summary>
internal static class ProcessIds
{
    public static bool Alive(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2] != "Z";
        }
        catch (IOException)
        {
            return false; // gone (also between checking and reading)
        }
    }
}
