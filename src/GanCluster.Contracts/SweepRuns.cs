namespace GanCluster.Contracts;

/// <summary>The one naming rule of a sweep's runs: trial N is <c>SWEEP-tNNNN</c>, and a PBT trial's segment K after its first <c>SWEEP-tNNNN-sKKK</c>.</summary>
public static class SweepRuns
{
    /// <summary>What every run of sweep <paramref name="sweepId"/> starts with, and no other run does.</summary>
    public static string Prefix(string sweepId) => $"{sweepId}-t";

    public static string Trial(string sweepId, int trial) => $"{Prefix(sweepId)}{trial:D4}";

    public static string Segment(string sweepId, int trial, int segment) => $"{Trial(sweepId, trial)}-s{segment:D3}";
}
