namespace GanCluster.Sweeps.Population;

/// <summary>A member of a PBT population at an interval boundary: its trial, its score there and its current raw configuration.</summary>
internal sealed record PbtMember(int Trial, double Score, IReadOnlyList<double> Raw);
