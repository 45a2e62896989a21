using Orleans.Concurrency;

namespace GanCluster.Contracts.Grains;

/// <summary>A worker's ear on the scheduler: told the moment it is placed, so it does not wait for its next heartbeat.</summary>
[Alias("gancluster.IWorkerObserver")]
public interface IWorkerObserver : IGrainObserver
{
    /// <summary>The worker has an assignment (or lost one): its next heartbeat, made now, says which.</summary>
    [Alias("AssignmentChanged"), OneWay]
    Task AssignmentChanged();
}
