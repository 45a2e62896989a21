using System.ComponentModel.DataAnnotations;

namespace GanCluster.Worker;

/// <summary>The static-ring mode's settings (section <c>StaticRing</c>): the effective spec the launcher wrote, the run directory, and a checkpoint to resume.</summary>
public sealed class StaticRingOptions
{
    public const string Section = "StaticRing";

    [Required(ErrorMessage = "is required: the effective run spec the launcher wrote")]
    public string Spec { get; set; } = "";

    [Required(ErrorMessage = "is required: the run directory")]
    public string Out { get; set; } = "";

    public string? Resume { get; set; }
}
