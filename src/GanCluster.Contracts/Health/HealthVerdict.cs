namespace GanCluster.Contracts.Health;

/// <summary>The collapse verdict of a health record, as it travels between processes.</summary>
[GenerateSerializer, Alias("gancluster.HealthVerdict")]
public enum HealthVerdict
{
    Healthy = 0,
    Collapsing = 1,
    Collapsed = 2,
    Diverged = 3,
}
