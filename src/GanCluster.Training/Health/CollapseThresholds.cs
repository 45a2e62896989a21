namespace GanCluster.Training.Health;

/// <summary>
/// The cheap-signal thresholds of the verdict (diversity medians), which <see cref="VerdictThresholds"/> uses while
/// coverage is unmeasured. <see cref="Calibrated"/> holds the values chosen by the first calibration on the 2D-mixture
/// corpus; <c>bench health-calibrate</c> scores them again, with the cheap signals alone, on today's corpus
/// (bench/RESULTS.md); nothing here is a guess.
/// </summary>
/// <param name="CollapsedDiversity">Collapsed when the median diversity ratio over <paramref name="Persistence"/> reports is below this.</param>
/// <param name="CollapsingDiversity">Collapsing (a warning) when that median is below this.</param>
/// <param name="SaturatedGap">Collapsed when the median of D(x) − D(G(z)) (probabilities) is above this; above 1 disables it.</param>
/// <param name="Persistence">How many consecutive reports the medians cover.</param>
/// <param name="CollapsedCoverage">Collapsed when the latest evaluation reaches less than this fraction of modes, or covers less than this fraction of classes: the corpus's definition of collapse.</param>
public sealed record CollapseThresholds(double CollapsedDiversity, double CollapsingDiversity, double SaturatedGap, int Persistence, double CollapsedCoverage)
{
    public const double DefinitionCoverage = 0.75;

    /// <summary>Chosen on the 2D-mixture corpus of bench/RESULTS.md (calibration seeds 1–2, held out seed 3); D saturation did not help there, so it is off.</summary>
    public static readonly CollapseThresholds Calibrated = new(CollapsedDiversity: 0.65, CollapsingDiversity: 0.80, SaturatedGap: 2.0, Persistence: 5, DefinitionCoverage);
}
