namespace GanCluster.Sweeps;

/// <summary>A trial to start: its number (0, 1, 2, … in creation order), its configuration and the run seed it trains with.</summary>
public sealed record TrialRequest(int Trial, TrialConfiguration Configuration, long Seed);
