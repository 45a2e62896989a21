using GanCluster.Training.Trainer;

namespace GanCluster.Training.Health;

/// <summary>
/// Combines the cheap signals of each report (the diversity ratio and D's real/fake gap, as medians over
/// a few reports so that one noisy batch does not flip the verdict) with the latest periodic evaluation's
/// coverage into a <see cref="CollapseVerdict"/>.
/// </summary>
public sealed class CollapseDetector(CollapseThresholds thresholds)
{
    private readonly Queue<double> _diversity = new();
    private readonly Queue<double> _gap = new();

    public CollapseThresholds Thresholds { get; } = thresholds;

    /// <summary>The reports the medians cover, oldest first.</summary>
    public (IReadOnlyList<double> Diversity, IReadOnlyList<double> Gap) Window => (_diversity.ToArray(), _gap.ToArray());

    /// <summary>Refills the medians' windows with saved values.</summary>
    public void Restore(IEnumerable<double> diversity, IEnumerable<double> gap)
    {
        _diversity.Clear();
        _gap.Clear();
        foreach (var value in diversity)
            Push(_diversity, value);
        foreach (var value in gap)
            Push(_gap, value);
    }

    /// <param name="coverage">The latest evaluation's covered fraction of modes or classes, when the run has one.</param>
    public CollapseVerdict Observe(StepReport report, double? coverage)
    {
        if (!report.IsFinite)
            return CollapseVerdict.Diverged;
        Push(_diversity, report.DiversityRatio);
        Push(_gap, report.DiscriminatorOnReal - report.DiscriminatorOnFake);
        if (coverage is { } c && c < Thresholds.CollapsedCoverage)
            return CollapseVerdict.Collapsed;
        var full = _diversity.Count == Thresholds.Persistence;
        var diversity = Median(_diversity);
        var gap = Median(_gap);
        if (full && (diversity < Thresholds.CollapsedDiversity || gap > Thresholds.SaturatedGap))
            return CollapseVerdict.Collapsed;
        if (diversity < Thresholds.CollapsingDiversity)
            return CollapseVerdict.Collapsing;
        return CollapseVerdict.Healthy;
    }

    private void Push(Queue<double> window, double value)
    {
        if (!double.IsFinite(value))
            return;
        window.Enqueue(value);
        while (window.Count > Thresholds.Persistence)
            window.Dequeue();
    }

    /// <summary>The median, NaN for none.</summary>
    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
            return double.NaN;
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
