namespace GanCluster.Specs.Sweeps;

/// <summary>Whether a smaller or a larger value of the metric is better.</summary>
public enum MetricGoal
{
    Min,
    Max,
}

/// <summary>
/// The value a sweep optimises: one field of a run's health record, by its name in <c>metrics.jsonl</c>. A trial's
/// score is the best value over its evaluations (not its last), with the step where it happened.
/// </summary>
public sealed record SweepMetric(string Name, MetricGoal Goal)
{
    /// <summary>The health record's values a sweep may optimise. <c>fd</c> is the Fréchet distance in the evaluator's features.</summary>
    public static readonly IReadOnlyList<string> Known =
    [
        "fd", "kid", "classifier_score", "precision", "recall", "density", "coverage", "classes_covered", "label_entropy", "label_agreement",
        "modes_covered", "modes_reached", "high_quality_fraction", "reverse_kl",
        "d_loss", "g_loss", "d_real", "d_fake", "diversity_ratio",
    ];

    /// <summary>Whether <paramref name="name"/> names a value of the health record: one of <see cref="Known"/>, or <c>fd_EXTRACTOR</c> as metrics.jsonl writes the Fréchet distance.</summary>
    public static bool IsKnown(string name) => Known.Contains(name) || (name.StartsWith("fd_", StringComparison.Ordinal) && name.Length > 3);

    /// <summary>Whether <paramref name="candidate"/> is better than <paramref name="incumbent"/> under this goal (NaN is never better).</summary>
    public bool IsBetter(double candidate, double incumbent) =>
        !double.IsNaN(candidate) && (double.IsNaN(incumbent) || (Goal == MetricGoal.Min ? candidate < incumbent : candidate > incumbent));

    /// <summary>The worst possible score, given to collapsed and diverged trials.</summary>
    public double Worst => Goal == MetricGoal.Min ? double.PositiveInfinity : double.NegativeInfinity;
}
