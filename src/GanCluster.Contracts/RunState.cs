namespace GanCluster.Contracts;

/// <summary>The life cycle of a run, shared by the silo, the workers and the CLI.</summary>
public enum RunState
{
    Pending = 0,
    Scheduled = 1,
    Running = 2,
    Completed = 3,
    Failed = 4,
    Cancelled = 5,
    Collapsed = 6,
    Diverged = 7,
}
