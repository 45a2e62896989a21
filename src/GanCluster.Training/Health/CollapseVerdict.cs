namespace GanCluster.Training.Health;

/// <summary>The health verdict of a run at one report.</summary>
public enum CollapseVerdict
{
    Healthy,
    /// <summary>A cheap signal has crossed its warning threshold: diversity is falling or D is saturating.</summary>
    Collapsing,
    /// <summary>The evaluation finds too few modes or classes, or the cheap signals say so persistently.</summary>
    Collapsed,
    /// <summary>A loss, D output or parameter is NaN or infinite.</summary>
    Diverged,
}
