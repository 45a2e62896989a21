namespace GanCluster.Worker;

/// <summary>What a worker process does.</summary>
public enum WorkerMode
{
    /// <summary>An Orleans client that trains the ranks the scheduler assigns it, one at a time.</summary>
    Cluster,
    /// <summary>One rank of a static loopback ring, started by <c>gancluster train --world-size N</c>; exits when it ends.</summary>
    StaticRing,
}
