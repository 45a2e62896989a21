namespace GanCluster.Contracts.Grains;

/// <summary>What the API hands a new sweep: the sweep file's text and, when it names its base spec by path, that file's text.</summary>
[GenerateSerializer, Immutable, Alias("gancluster.SweepSubmission")]
public sealed record SweepSubmission(
    [property: Id(0)] string SweepYaml,
    [property: Id(1)] string? BaseYaml);
