namespace GanCluster.Contracts.Health;

/// <summary>
/// A rank's latest health record: the cheap signals of its last report, the oscillation of both losses, the newest
/// periodic evaluation (a mixture's or an image run's, when measured) and the verdict. Non-finite values stay NaN.
/// </summary>
[GenerateSerializer, Immutable, Alias("gancluster.RunHealth")]
public sealed record RunHealth(
    [property: Id(0)] long Step,
    [property: Id(1)] double DiscriminatorLoss,
    [property: Id(2)] double GeneratorLoss,
    [property: Id(3)] double DiscriminatorOnReal,
    [property: Id(4)] double DiscriminatorOnFake,
    [property: Id(5)] double DiscriminatorGradNorm,
    [property: Id(6)] double GeneratorGradNorm,
    [property: Id(7)] double DiversityRatio,
    [property: Id(8)] LossOscillation DiscriminatorOscillation,
    [property: Id(9)] LossOscillation GeneratorOscillation,
    [property: Id(10)] double StepsPerSecond,
    [property: Id(11)] HealthVerdict Verdict,
    [property: Id(12)] MixtureHealth? Mixture,
    [property: Id(13)] ImageHealth? Images)
{
    /// <summary>The verdict's dimensions; null from a worker built before they existed.</summary>
    [Id(14)] public HealthDimensions? Dimensions { get; init; }
}
