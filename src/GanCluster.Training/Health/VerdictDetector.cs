using GanCluster.Specs.Sweeps;
using GanCluster.Training.Trainer;

namespace GanCluster.Training.Health;

/// <summary>What a <see cref="VerdictDetector"/> carries from one report to the next; saved in checkpoints with the health state.</summary>
public sealed record VerdictState(
    Persisted<ModeHealth> Modes,
    Persisted<QualityTrend> Trend,
    Persisted<Convergence> Convergence,
    QualityEvidence? Latest,
    double? ReferenceDiversity,
    int Evaluations,
    double? Best,
    long BestStep,
    double? SignificantBest,
    int SignificantAt)
{
    public static readonly VerdictState Initial = new(
        Persisted<ModeHealth>.Start(ModeHealth.Unmeasured), Persisted<QualityTrend>.Start(QualityTrend.Unmeasured),
        Persisted<Convergence>.Start(Health.Convergence.Unmeasured), null, null, 0, null, 0, null, 0);
}

/// <summary>
/// The verdict of a run, report by report. Mode coverage comes from the periodic evaluation when there is one (the
/// definition of collapse), with the cheap signals as an early warning between evaluations and as the only signal of
/// a run nothing evaluates. The trend follows the run's quality metric (<see cref="SweepMetric.QualityOf"/>) against its
/// best so far, with the metric's noise as tolerance; convergence asks whether the samples are near the data at all.
/// Every dimension changes with hysteresis (<see cref="Persisted{T}"/>), so one noisy evaluation does not flip it.
/// </summary>
/// <param name="measurable">Whether the run is evaluated at all (a mixture, or images with an evaluator).</param>
public sealed class VerdictDetector(VerdictThresholds thresholds, SweepMetric quality, bool measurable)
{
    private readonly CollapseDetector _cheap = new(thresholds.Cheap);
    private VerdictState _state = VerdictState.Initial;

    public SweepMetric Quality => quality;
    public VerdictState State => _state;
    public (IReadOnlyList<double> Diversity, IReadOnlyList<double> Gap) Window => _cheap.Window;

    /// <summary>The run's best quality so far and the step of that evaluation.</summary>
    public (double Value, long Step)? Best => _state.Best is { } b ? (b, _state.BestStep) : null;

    public void Restore(VerdictState? state, IEnumerable<double> diversity, IEnumerable<double> gap)
    {
        _cheap.Restore(diversity, gap);
        _state = state ?? VerdictState.Initial;
    }

    /// <param name="evaluation">The evaluation made at this report, or null when none was.</param>
    public RunVerdict Observe(StepReport report, QualityEvidence? evaluation)
    {
        if (!report.IsFinite)
            return Verdict() with { Diverged = true };
        var cheap = _cheap.Observe(report, coverage: null);
        var fresh = evaluation is not null;
        var s = _state;
        if (evaluation is { } e)
            s = Evaluated(s, report.Step, e);
        var latest = s.Latest;
        var modesRaw = ModesFrom(latest, cheap, s.ReferenceDiversity);
        var modes = s.Modes.Observe(modesRaw, fresh || !measurable, thresholds.Confirm,
            // The first evaluation overrules what the cheap signals said before it; after that, only a worse state is adopted at once.
            immediate: s.Modes.Value == ModeHealth.Unmeasured || modesRaw > s.Modes.Value || fresh && s.Evaluations == 1);
        _state = s with { Modes = modes };
        return Verdict();
    }

    private RunVerdict Verdict() => new(_state.Modes.Value, false, _state.Trend.Value, _state.Convergence.Value);

    private VerdictState Evaluated(VerdictState s, long step, QualityEvidence e)
    {
        var evaluations = s.Evaluations + 1;
        var tolerance = SweepMetric.IsMixtureQuality(quality.Name) ? thresholds.MixtureTolerance : thresholds.ImageTolerance;
        var q = e.Quality;
        var (best, bestStep, significant, significantAt) = (s.Best, s.BestStep, s.SignificantBest, s.SignificantAt);
        if (double.IsFinite(q))
        {
            if (best is not { } b || quality.IsBetter(q, b))
                (best, bestStep) = (q, step);
            if (significant is not { } sb || quality.IsBetter(q, sb) && Math.Abs(q - sb) > tolerance.Around(sb))
                (significant, significantAt) = (q, evaluations);
        }
        // Threshold hysteresis on top of the confirming evaluations: degrading past the tolerance, and back only within half of it.
        var margin = s.Trend.Value == QualityTrend.Degrading ? 0.5 : 1.0;
        var trendRaw = best is not { } bestValue || !double.IsFinite(q) ? QualityTrend.Unmeasured
            : quality.IsBetter(bestValue, q) && Math.Abs(q - bestValue) > margin * tolerance.Around(bestValue) ? QualityTrend.Degrading
            : evaluations - significantAt < thresholds.TrendWindow ? QualityTrend.Improving
            : QualityTrend.Stalled;
        var trend = s.Trend.Observe(trendRaw, fresh: true, thresholds.Confirm,
            immediate: s.Trend.Value == QualityTrend.Unmeasured || (trendRaw != QualityTrend.Degrading && s.Trend.Value != QualityTrend.Degrading));
        var far = e.SampleQuality < thresholds.MinSampleQuality || e.ConstantBaseline is { } baseline && q >= baseline;
        var convergenceRaw = far ? Health.Convergence.NotConverging : Health.Convergence.Converging;
        var convergence = s.Convergence.Observe(convergenceRaw, fresh: true, thresholds.Confirm, immediate: s.Convergence.Value == Health.Convergence.Unmeasured);
        var (diversity, _) = _cheap.Window;
        var reference = CoverageState(e.Coverage) == ModeHealth.Healthy && diversity.Count > 0 ? CollapseDetector.Median(diversity) : s.ReferenceDiversity;
        return s with
        {
            Trend = trend, Convergence = convergence, Latest = e, ReferenceDiversity = reference, Evaluations = evaluations,
            Best = best, BestStep = bestStep, SignificantBest = significant, SignificantAt = significantAt,
        };
    }

    private ModeHealth ModesFrom(QualityEvidence? latest, CollapseVerdict cheap, double? reference)
    {
        // A run that will be evaluated waits for its first evaluation: the cheap signals of a young G misread it (its
        // first outputs are narrow whatever it will become), and are the only signal only where nothing evaluates.
        if (latest is not { } e)
            return measurable ? ModeHealth.Unmeasured
                : cheap switch { CollapseVerdict.Collapsed => ModeHealth.Collapsed, CollapseVerdict.Collapsing => ModeHealth.Collapsing, _ => ModeHealth.Unmeasured };
        var state = CoverageState(e.Coverage);
        var (diversity, _) = _cheap.Window;
        if (state == ModeHealth.Healthy && thresholds.DiversityDrop > 0 && reference is { } r && diversity.Count > 0 && CollapseDetector.Median(diversity) < thresholds.DiversityDrop * r)
            return ModeHealth.Collapsing;
        return state;
    }

    private ModeHealth CoverageState(double coverage) =>
        coverage < thresholds.Cheap.CollapsedCoverage ? ModeHealth.Collapsed : coverage < 1 - 1e-9 ? ModeHealth.Collapsing : ModeHealth.Healthy;
}
