namespace GanCluster.Specs.Sweeps;

/// <summary>Whether a smaller or a larger value of the metric is better.</summary>
public enum MetricGoal
{
    Min,
    Max,
}

/// <summary>
/// The value a sweep optimises: one field of a run's health record, by its name in <c>metrics.jsonl</c>, except
/// <c>fd</c>, which <c>metrics.jsonl</c> names after the evaluator's extractor (<c>fd_mnist-lenet</c>). A trial's
/// score is the best value over its evaluations (not its last), with the step where it happened. The 2D mixtures
/// report only the mode metrics (<c>modes_covered</c> … <c>reverse_kl</c>); image datasets only the others.
/// </summary>
public sealed record SweepMetric(string Name, MetricGoal Goal)
{
    /// <summary>What the periodic evaluation of an image run reports (<c>health.eval_every</c>).</summary>
    public static readonly IReadOnlyList<string> ImageMetrics =
        ["fd", "kid", "classifier_score", "precision", "recall", "density", "coverage", "classes_covered", "label_entropy", "label_agreement"];

    /// <summary>What the periodic evaluation of a 2D-mixture run reports (<c>health.eval_every</c>).</summary>
    public static readonly IReadOnlyList<string> MixtureMetrics = ["modes_covered", "modes_reached", "high_quality_fraction", "balanced_quality_fraction", "reverse_kl"];

    /// <summary>
    /// The one quality metric of a dataset, which the verdict's trend follows and by which every run keeps its best
    /// checkpoint: the Fréchet distance for images, and for a 2D mixture the balanced high-quality fraction (the share
    /// of samples within 3 sd of a mode, each mode counted up to its fair share, so a collapsed G cannot score well).
    /// </summary>
    public static SweepMetric QualityOf(DatasetKind kind) => kind.IsMixture() ? new("balanced_quality_fraction", MetricGoal.Max) : new("fd", MetricGoal.Min);

    /// <summary>Whether <paramref name="name"/> is a mixture's quality metric (its noise is absolute, not relative).</summary>
    public static bool IsMixtureQuality(string name) => MixtureMetrics.Contains(name);

    /// <summary>What every report carries (<c>report_every</c>), whatever the dataset.</summary>
    public static readonly IReadOnlyList<string> TrainingMetrics = ["d_loss", "g_loss", "d_real", "d_fake", "diversity_ratio"];

    /// <summary>The health record's values a sweep may optimise. <c>fd</c> is the Fréchet distance in the evaluator's features, whichever extractor it has.</summary>
    public static readonly IReadOnlyList<string> Known = [.. ImageMetrics, .. MixtureMetrics, .. TrainingMetrics];

    /// <summary>Whether the value comes from the periodic evaluation (so a trial has it only every <c>health.eval_every</c> steps).</summary>
    public bool IsEvaluated => !TrainingMetrics.Contains(Name);

    /// <summary>Why a trial of <paramref name="run"/> would never report this metric, or null when it does.</summary>
    public string? NeverReportedBy(RunSpec run, long steps)
    {
        var mixture = run.Dataset.Kind.IsMixture();
        if (mixture && ImageMetrics.Contains(Name) || !mixture && MixtureMetrics.Contains(Name))
            return $"dataset {SpecName.Of(run.Dataset.Kind)} reports no '{Name}' (its evaluation gives {string.Join(", ", mixture ? MixtureMetrics : ImageMetrics)})";
        if (Name == "label_agreement" && !run.Model.IsConditional)
            return "'label_agreement' is reported for class-conditional models only (model.classes > 0)";
        if (IsEvaluated && run.Health.EvalEvery == 0)
            return "the base spec never evaluates (health.eval_every: 0)";
        if (IsEvaluated && run.Health.EvalEvery > steps)
            return $"the base spec evaluates every {run.Health.EvalEvery} steps (health.eval_every), so a {steps}-step trial is never evaluated";
        return null;
    }

    /// <summary>Whether <paramref name="name"/> names a value of the health record: one of <see cref="Known"/>, or <c>fd_EXTRACTOR</c> as metrics.jsonl writes the Fréchet distance.</summary>
    public static bool IsKnown(string name) => Known.Contains(name) || (name.StartsWith("fd_", StringComparison.Ordinal) && name.Length > 3);

    /// <summary>Whether <paramref name="candidate"/> is better than <paramref name="incumbent"/> under this goal (NaN is never better).</summary>
    public bool IsBetter(double candidate, double incumbent) =>
        !double.IsNaN(candidate) && (double.IsNaN(incumbent) || (Goal == MetricGoal.Min ? candidate < incumbent : candidate > incumbent));

    /// <summary>The worst possible score, given to collapsed and diverged trials.</summary>
    public double Worst => Goal == MetricGoal.Min ? double.PositiveInfinity : double.NegativeInfinity;
}
