namespace GanCluster.Contracts.Grains;

/// <summary>
/// What a worker needs to start its rank: the effective spec, the ring's secret, and the checkpoint to resume from,
/// which lies in the run's own folder, or, for a run that starts from another's checkpoint, in <see cref="ResumeFromRun"/>'s.
/// </summary>
[GenerateSerializer, Immutable, Alias("gancluster.RunLaunch")]
public sealed record RunLaunch(
    [property: Id(0)] string SpecYaml,
    [property: Id(1)] string Secret,
    [property: Id(4)] CheckpointRef? ResumeFrom,
    [property: Id(3)] int Attempt)
{
    /// <summary>The run whose folder holds <see cref="ResumeFrom"/> when it is not this run's own; null when it is.</summary>
    [Id(5)]
    public string? ResumeFromRun { get; init; }

    /// <summary>The sweep whose runs' files count against <see cref="DiskQuotaBytes"/> together; null for none.</summary>
    [Id(6)]
    public string? QuotaSweep { get; init; }

    [Id(7)]
    public long? DiskQuotaBytes { get; init; }
}
