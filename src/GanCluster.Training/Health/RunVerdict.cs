using GanCluster.Specs;

namespace GanCluster.Training.Health;

/// <summary>Whether the generator draws every mode (2D mixtures) or class (images with an evaluator).</summary>
public enum ModeHealth
{
    /// <summary>Nothing measures coverage: an image run without its dataset's evaluator, or no evaluation yet.</summary>
    Unmeasured,
    Healthy,
    /// <summary>A mode or class is missing, or the cheap signals warn that diversity is falling.</summary>
    Collapsing,
    /// <summary>The evaluation reaches fewer than three quarters of the modes or classes, or the cheap signals say so persistently.</summary>
    Collapsed,
}

/// <summary>How the run's quality metric (<see cref="QualityMetric"/>) moves across the periodic evaluations.</summary>
public enum QualityTrend
{
    Unmeasured,
    /// <summary>The best value of the last few evaluations beats the best before them by more than the metric's noise.</summary>
    Improving,
    /// <summary>Neither better nor worse than the best by more than the noise.</summary>
    Stalled,
    /// <summary>Worse than the run's best by more than the noise, at consecutive evaluations.</summary>
    Degrading,
}

/// <summary>Whether the samples are anywhere near the data.</summary>
public enum Convergence
{
    Unmeasured,
    Converging,
    /// <summary>Under a tenth of the samples are high quality (mixtures) or inside the real data's neighbourhoods (images), or the Fréchet distance is no better than the best constant image's.</summary>
    NotConverging,
}

/// <summary>The one word of a verdict: its worst dimension.</summary>
public enum HealthSummary
{
    Healthy,
    /// <summary>Nothing is wrong that can be seen, but coverage is not measured (no evaluator).</summary>
    Unmeasured,
    Degrading,
    Collapsing,
    NotConverging,
    Collapsed,
    Diverged,
}

/// <summary>
/// A run's health at one report, in the dimensions researchers reason in: mode coverage, divergence, the quality
/// trend and convergence. <see cref="Summary"/> is the worst of them; <see cref="Collapse"/> is the mode and
/// divergence axis alone, which the collapse policy (<c>health.on_collapse</c>) and the collapse gauge use.
/// </summary>
public sealed record RunVerdict(ModeHealth Modes, bool Diverged, QualityTrend Trend, Convergence Convergence)
{
    public static readonly RunVerdict Initial = new(ModeHealth.Unmeasured, false, QualityTrend.Unmeasured, Convergence.Unmeasured);

    public HealthSummary Summary =>
        Diverged ? HealthSummary.Diverged
        : Modes == ModeHealth.Collapsed ? HealthSummary.Collapsed
        : Convergence == Convergence.NotConverging ? HealthSummary.NotConverging
        : Modes == ModeHealth.Collapsing ? HealthSummary.Collapsing
        : Trend == QualityTrend.Degrading ? HealthSummary.Degrading
        : Modes == ModeHealth.Unmeasured ? HealthSummary.Unmeasured
        : HealthSummary.Healthy;

    public CollapseVerdict Collapse =>
        Diverged ? CollapseVerdict.Diverged
        : Modes switch { ModeHealth.Collapsed => CollapseVerdict.Collapsed, ModeHealth.Collapsing => CollapseVerdict.Collapsing, _ => CollapseVerdict.Healthy };

    /// <summary>The names metrics.jsonl, the API and the CLI use (<see cref="SpecName"/>'s rule): <c>not-converging</c>, <c>degrading</c>, …</summary>
    public static string Name(Enum value) => SpecName.Of(value);
}
