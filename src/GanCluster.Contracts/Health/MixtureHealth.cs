namespace GanCluster.Contracts.Health;

/// <summary>A 2D mixture's periodic evaluation: PacGAN's mode coverage and quality.</summary>
[GenerateSerializer, Immutable, Alias("gancluster.MixtureHealth")]
public sealed record MixtureHealth(
    [property: Id(0)] int Modes,
    [property: Id(1)] int ModesCovered,
    [property: Id(2)] int ModesReached,
    [property: Id(3)] double HighQualityFraction,
    [property: Id(4)] double? ReverseKl);
