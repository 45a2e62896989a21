namespace GanCluster.Sweeps.Scoring;

/// <summary>One trial as the aggregates see it: its configuration, its seed, how it ended (null: still running) and its best value.</summary>
public sealed record TrialOutcome(int Trial, int Configuration, long Seed, TrialEnd? End, TrialScore? Best);
