namespace GanCluster.Contracts.Grains;

/// <summary>A checkpoint as every hop names it: where it is, its SHA-256 (verified before a resume trains), and its step.</summary>
[GenerateSerializer, Immutable, Alias("gancluster.CheckpointRef")]
public sealed record CheckpointRef(
    [property: Id(0)] string Path,
    [property: Id(1)] string Sha256,
    [property: Id(2)] long Step);
