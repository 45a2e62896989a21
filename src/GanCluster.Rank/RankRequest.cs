using GanCluster.Collective;
using GanCluster.Specs;

namespace GanCluster.Rank;

/// <summary>What one rank trains: the effective spec, where the run's files go, where it resumes, and its ring.</summary>
public sealed record RankRequest
{
    public required RunSpec Spec { get; init; }

    /// <summary>The spec's effective YAML (after overrides), written next to the run's files and into every checkpoint.</summary>
    public required string SpecYaml { get; init; }

    public required string RunDirectory { get; init; }

    public ResumePoint? Resume { get; init; }

    /// <summary>The data-parallel ring, or null for a single process.</summary>
    public RingOptions? Ring { get; init; }

    /// <summary>How the rank's metrics are labelled: the run (the spec's name when trained alone) and its sweep.</summary>
    public required string RunLabel { get; init; }

    public string SweepLabel { get; init; } = "";

    /// <summary>
    /// The most memory the rank may need (<see cref="Training.Models.ModelFootprint"/>); a spec that needs more is
    /// refused before anything is allocated. 80% of the memory this process may use when not given.
    /// </summary>
    public long? MemoryLimitBytes { get; init; }

    /// <summary>The disk quota the run's checkpoints count against (its sweep's), or null.</summary>
    public Training.Runtime.StoreQuota? Quota { get; init; }

    /// <summary>The checkpoint the control plane would resume from, which pruning keeps (see <see cref="Training.Runtime.TrainingLoop.ResumableCheckpoint"/>).</summary>
    public Func<string?>? ResumableCheckpoint { get; init; }

    public static long DefaultMemoryLimitBytes() => (long)(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes * 0.8);
}
