namespace GanCluster.Contracts.Health;

/// <summary>How one network's loss oscillates over the health window: coefficient of variation and dominant period.</summary>
[GenerateSerializer, Immutable, Alias("gancluster.LossOscillation")]
public sealed record LossOscillation(
    [property: Id(0)] double CoefficientOfVariation,
    [property: Id(1)] double PeriodSteps,
    [property: Id(2)] double Autocorrelation);
