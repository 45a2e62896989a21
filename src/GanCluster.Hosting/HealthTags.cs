namespace GanCluster.Hosting;

/// <summary>Tags that decide which health endpoint runs a check.</summary>
public static class HealthTags
{
    /// <summary>Checks run by <c>/health/ready</c> (silo connection, storage); <c>/health/live</c> runs none.</summary>
    public const string Ready = "ready";
}
