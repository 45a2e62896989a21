namespace GanCluster.Contracts.Grains;

/// <summary>What a worker needs to start its rank: the effective spec, the ring's secret, and the checkpoint to resume from.</summary>
[GenerateSerializer, Immutable, Alias("gancluster.RunLaunch")]
public sealed record RunLaunch(
    [property: Id(0)] string SpecYaml,
    [property: Id(1)] string Secret,
    [property: Id(4)] CheckpointRef? ResumeFrom,
    [property: Id(3)] int Attempt);
