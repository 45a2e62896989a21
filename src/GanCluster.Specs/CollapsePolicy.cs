namespace GanCluster.Specs;

/// <summary>What a cluster does with a <c>collapsed</c> verdict (YAML <c>health.on_collapse</c>).</summary>
public enum CollapsePolicy
{
    /// <summary>Record it in the run's history once and train on.</summary>
    Flag,
    /// <summary>End the run as Collapsed and free its workers.</summary>
    Stop,
}
