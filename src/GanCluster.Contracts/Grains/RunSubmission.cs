namespace GanCluster.Contracts.Grains;

/// <summary>What a user submits: the effective spec (validated by the API), its name and step budget, and the gang size.</summary>
[GenerateSerializer, Immutable, Alias("gancluster.RunSubmission")]
public sealed record RunSubmission(
    [property: Id(0)] string Name,
    [property: Id(1)] string SpecYaml,
    [property: Id(2)] int WorldSize,
    [property: Id(3)] int Priority,
    [property: Id(4)] long TotalSteps,
    [property: Id(5)] bool StopOnCollapse = false)
{
    /// <summary>The sweep this run is a trial of, told of its evaluations and its end; null for a plain run.</summary>
    [Id(6)]
    public string? SweepId { get; init; }

    /// <summary>
    /// A checkpoint of another run that this one starts from instead of step 0 (a PBT trial's next segment: its own
    /// checkpoint, or the one it exploits); null to start fresh. It must be one of <see cref="StartFromRun"/>'s.
    /// </summary>
    [Id(7)]
    public CheckpointRef? StartFrom { get; init; }

    /// <summary>The run whose checkpoint <see cref="StartFrom"/> is.</summary>
    [Id(8)]
    public string? StartFromRun { get; init; }

    /// <summary>The store bytes that every run of <see cref="SweepId"/> together may hold (the sweep's disk_quota_mb); null for none.</summary>
    [Id(9)]
    public long? DiskQuotaBytes { get; init; }
}
