namespace GanCluster.Worker;

/// <summary>The static-ring mode's settings (section <c>StaticRing</c>): the effective spec the launcher wrote, the run directory, and a checkpoint to resume.</summary>
public sealed class StaticRingOptions
{
    public string Spec { get; set; } = "";
    public string Out { get; set; } = "";
    public string? Resume { get; set; }
}
