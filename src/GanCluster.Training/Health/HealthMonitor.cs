using GanCluster.Training.Evaluation;
using GanCluster.Training.Trainer;

namespace GanCluster.Training.Health;

/// <summary>
/// Turns a run's reports into health records: oscillation windows per loss, the latest evaluation,
/// and the collapse verdict (which sees divergence, the cheap signals and the evaluation's coverage).
/// </summary>
public sealed class HealthMonitor(string run, int rank, int window, long reportEvery, CollapseThresholds? thresholds = null)
{
    private readonly OscillationIndex _discriminator = new(window, reportEvery);
    private readonly OscillationIndex _generator = new(window, reportEvery);
    private readonly CollapseDetector _detector = new(thresholds ?? CollapseThresholds.Calibrated);

    public HealthRecord? Latest { get; private set; }
    public MixtureQuality? LatestMixture { get; set; }
    public ImageQuality? LatestImages { get; set; }

    public HealthRecord Observe(StepReport report, double stepsPerSecond)
    {
        var finite = report.IsFinite;
        var d = finite ? _discriminator.Add(report.DiscriminatorLoss) : default;
        var g = finite ? _generator.Add(report.GeneratorLoss) : default;
        var record = new HealthRecord(run, rank, report, d, g, stepsPerSecond, LatestMixture, LatestImages, CollapseVerdict.Healthy);
        Latest = record with { Verdict = _detector.Observe(report, record.Coverage) };
        return Latest;
    }

    /// <summary>What the next record depends on, for a checkpoint.</summary>
    public HealthState Capture()
    {
        var (diversity, gap) = _detector.Window;
        return new HealthState(_discriminator.Values, _generator.Values, diversity, gap, LatestMixture, LatestImages);
    }

    /// <summary>Continues from a checkpoint's state, as though the reports before it had been observed here.</summary>
    public void Restore(HealthState state)
    {
        _discriminator.Restore(state.DiscriminatorLosses);
        _generator.Restore(state.GeneratorLosses);
        _detector.Restore(state.Diversity, state.Gap);
        (LatestMixture, LatestImages) = (state.Mixture, state.Images);
    }
}
