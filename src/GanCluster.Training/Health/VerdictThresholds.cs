namespace GanCluster.Training.Health;

/// <summary>How far a quality metric may move before the change is more than its noise: the larger of a share of the best value and an absolute amount.</summary>
public sealed record QualityTolerance(double Relative, double Absolute)
{
    public double Around(double best) => Math.Max(Relative * Math.Abs(best), Absolute);
}

/// <summary>
/// The thresholds of the verdict. <see cref="Calibrated"/> holds the values chosen by <c>bench health-calibrate</c>
/// on the corpus of bench/RESULTS.md (calibration configurations), which reports them on held-out configurations.
/// </summary>
/// <param name="Cheap">The cheap-signal rules (diversity medians), used alone while coverage is unmeasured.</param>
/// <param name="DiversityDrop">Once an evaluation has found every mode, collapsing when the median diversity ratio falls below this share of its value at that evaluation; 0 disables it.</param>
/// <param name="Confirm">Consecutive evaluations (reports, for a run that is never evaluated) that a better state, or a change of trend or convergence, needs before it is adopted. A worse mode state is adopted at once.</param>
/// <param name="TrendWindow">Improving while the best of the last this-many evaluations beats the best before them by more than the tolerance.</param>
/// <param name="MixtureTolerance">The noise of a mixture's quality metric (the balanced high-quality fraction).</param>
/// <param name="ImageTolerance">The noise of an image run's quality metric (the Fréchet distance).</param>
/// <param name="MinSampleQuality">Not converging below this share of high-quality samples (mixtures) or of samples inside the real neighbourhoods (images).</param>
public sealed record VerdictThresholds(
    CollapseThresholds Cheap,
    double DiversityDrop,
    int Confirm,
    int TrendWindow,
    QualityTolerance MixtureTolerance,
    QualityTolerance ImageTolerance,
    double MinSampleQuality)
{
    /// <summary>
    /// Chosen by <c>bench health-calibrate</c> on the calibration configurations of the 64-run corpus (bench/RESULTS.md):
    /// 2 confirming evaluations, a trend window of 2, tolerances of 0.05 (mixtures) and 10% (images). The diversity-drop
    /// warning did not raise the mean F1 anywhere in the search, so it is off (0).
    /// </summary>
    public static readonly VerdictThresholds Calibrated = new(
        CollapseThresholds.Calibrated, DiversityDrop: 0, Confirm: 2, TrendWindow: 2,
        MixtureTolerance: new(0, 0.05), ImageTolerance: new(0.1, 0), MinSampleQuality: 0.1);
}
