namespace GanCluster.Sweeps.Scoring;

/// <summary>One evaluation of the sweep metric: the step it was taken at and its value (NaN when the evaluation gave none).</summary>
public sealed record MetricEvaluation(long Step, double Value);
