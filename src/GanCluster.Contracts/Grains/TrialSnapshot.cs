namespace GanCluster.Contracts.Grains;

/// <summary>
/// One trial: its run, its configuration (values by field path) and seed, how far it got, and its score: the best
/// value of the metric over its evaluations, with the step where it happened.
/// </summary>
[GenerateSerializer, Immutable, Alias("gancluster.TrialSnapshot")]
public sealed record TrialSnapshot(
    [property: Id(0)] int Trial,
    [property: Id(1)] string RunId,
    [property: Id(2)] int Configuration,
    [property: Id(3)] IReadOnlyDictionary<string, string> Values,
    [property: Id(4)] long Seed,
    [property: Id(5)] RunState State,
    [property: Id(6)] long Step,
    [property: Id(7)] double? Best,
    [property: Id(8)] long? BestStep,
    [property: Id(9)] string? Stopped,
    [property: Id(10)] IReadOnlyList<TrialPoint> Curve)
{
    /// <summary>The run whose evaluation gave <see cref="Best"/> (a PBT segment's), whose folder keeps its checkpoint.</summary>
    [Id(11)]
    public string? BestRunId { get; init; }

    /// <summary>A PBT trial's segments in order, with each exploit's source; empty for other algorithms.</summary>
    [Id(12)]
    public IReadOnlyList<TrialSegmentSnapshot> Lineage { get; init; } = [];
}

/// <summary>One interval of a PBT trial: its run and steps, the trial it exploited (null: it went on from its own state) and its configuration.</summary>
[GenerateSerializer, Immutable, Alias("gancluster.TrialSegmentSnapshot")]
public sealed record TrialSegmentSnapshot(
    [property: Id(0)] string RunId,
    [property: Id(1)] long FromStep,
    [property: Id(2)] long ToStep,
    [property: Id(3)] int? SourceTrial,
    [property: Id(4)] int Configuration,
    [property: Id(5)] IReadOnlyDictionary<string, string> Values);
