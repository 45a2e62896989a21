using GanCluster.Specs.Sweeps;
using GanCluster.Training.Evaluation;
using GanCluster.Training.Trainer;

namespace GanCluster.Training.Health;

/// <summary>
/// Turns a run's reports into health records: oscillation windows per loss, the latest evaluation, and the verdict
/// (<see cref="VerdictDetector"/>: divergence, mode coverage, the quality trend and convergence).
/// </summary>
/// <param name="quality">The run's quality metric (<see cref="SweepMetric.QualityOf"/>); the fd default suits images.</param>
/// <param name="measurable">Whether the run is evaluated at all: a mixture, or images with their evaluator.</param>
public sealed class HealthMonitor(string run, int rank, int window, long reportEvery, VerdictThresholds? thresholds = null, SweepMetric? quality = null, bool measurable = true)
{
    private readonly OscillationIndex _discriminator = new(window, reportEvery);
    private readonly OscillationIndex _generator = new(window, reportEvery);
    private readonly VerdictDetector _detector = new(thresholds ?? VerdictThresholds.Calibrated, quality ?? new SweepMetric("fd", MetricGoal.Min), measurable);

    public HealthRecord? Latest { get; private set; }
    public MixtureQuality? LatestMixture { get; set; }
    public ImageQuality? LatestImages { get; set; }

    /// <param name="evaluated">Whether <see cref="LatestMixture"/> or <see cref="LatestImages"/> was measured at this report.</param>
    public HealthRecord Observe(StepReport report, double stepsPerSecond, bool evaluated = false)
    {
        var finite = report.IsFinite;
        var d = finite ? _discriminator.Add(report.DiscriminatorLoss) : default;
        var g = finite ? _generator.Add(report.GeneratorLoss) : default;
        var record = new HealthRecord(run, rank, report, d, g, stepsPerSecond, LatestMixture, LatestImages, RunVerdict.Initial);
        // The latest evaluation's evidence, read once; the detector sees it only at the report that measured it.
        var evidence = Evidence(record, _detector.Quality);
        var verdict = _detector.Observe(report, evaluated ? evidence : null);
        Latest = record with { Verdict = verdict, Quality = _detector.Best is { } best ? new QualityStanding(_detector.Quality.Name, evidence?.Quality, best.Value, best.Step) : null };
        return Latest;
    }

    /// <summary>The verdict's view of a record's evaluation, or null when it carries none.</summary>
    public static QualityEvidence? Evidence(HealthRecord record, SweepMetric quality) =>
        record.Mixture is { } m ? new(record.Coverage!.Value, m.HighQualityFraction, QualityValue(record, quality.Name), null)
        : record.Images is { } i ? new(record.Coverage!.Value, i.Neighbourhood.Precision, QualityValue(record, quality.Name), i.ConstantBaseline)
        : null;

    private static double QualityValue(HealthRecord record, string metric) => HealthRecordJson.Value(record, metric) ?? double.NaN;

    /// <summary>What the next record depends on, for a checkpoint.</summary>
    public HealthState Capture()
    {
        var (diversity, gap) = _detector.Window;
        return new HealthState(_discriminator.Values, _generator.Values, diversity, gap, LatestMixture, LatestImages) { Verdict = _detector.State };
    }

    /// <summary>Continues from a checkpoint's state, as though the reports before it had been observed here.</summary>
    public void Restore(HealthState state)
    {
        _discriminator.Restore(state.DiscriminatorLosses);
        _generator.Restore(state.GeneratorLosses);
        _detector.Restore(state.Verdict, state.Diversity, state.Gap);
        (LatestMixture, LatestImages) = (state.Mixture, state.Images);
    }
}
