namespace GanCluster.Contracts.Grains;

/// <summary>One evaluation of a trial's metric.</summary>
[GenerateSerializer, Immutable, Alias("gancluster.TrialPoint")]
public sealed record TrialPoint([property: Id(0)] long Step, [property: Id(1)] double Value);
