namespace GanCluster.Contracts.Grains;

/// <summary>The life of a sweep: trials running or queued, then done (every trial ended), cancelled or failed.</summary>
public enum SweepState
{
    Running = 0,
    Completed = 1,
    Cancelled = 2,
    Failed = 3,
}
