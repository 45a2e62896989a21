namespace GanCluster.Contracts.Grains;

/// <summary>One line of a run's history.</summary>
[GenerateSerializer, Immutable, Alias("gancluster.RunEvent")]
public sealed record RunEvent([property: Id(0)] DateTimeOffset At, [property: Id(1)] string Text);
