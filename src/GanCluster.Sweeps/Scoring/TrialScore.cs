namespace GanCluster.Sweeps.Scoring;

/// <summary>A trial's best value of the metric over its evaluations, and the step where it happened.</summary>
public sealed record TrialScore(double Value, long Step);
