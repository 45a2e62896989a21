namespace GanCluster.Rank;

/// <summary>What the process exit status means, for scripts and CI.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    /// <summary><c>checkpoint diff</c>: the checkpoints differ (as with diff(1)).</summary>
    public const int Different = 1;
    /// <summary>Bad command line or run spec.</summary>
    public const int UsageError = 2;
    /// <summary>A dataset is missing or malformed.</summary>
    public const int DataError = 3;
    /// <summary>A checkpoint is missing, corrupted or made for another model.</summary>
    public const int CheckpointError = 4;
    /// <summary>The requested device (e.g. cuda:0) is not available.</summary>
    public const int DeviceUnavailable = 5;
    /// <summary>Training diverged (NaN or Inf); the last good checkpoint is kept.</summary>
    public const int Diverged = 6;
    /// <summary>Data-parallel training lost a peer (dead, hung or refused); the message names it and the step.</summary>
    public const int PeerLost = 7;
    /// <summary>A run on the cluster ended Failed or Collapsed (see `run show`).</summary>
    public const int RunFailed = 8;
    /// <summary>The cluster's API refused the call or could not be reached.</summary>
    public const int ClusterError = 9;
    /// <summary>An unexpected failure: a bug, reported with its stack trace.</summary>
    public const int InternalError = 70;
    /// <summary>Interrupted by Ctrl+C after checkpointing.</summary>
    public const int Cancelled = 130;
}
