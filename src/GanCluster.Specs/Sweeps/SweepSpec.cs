namespace GanCluster.Specs.Sweeps;

/// <summary>
/// A hyperparameter sweep: a base run spec, the space searched over run-spec field paths, the seeds every
/// configuration is trained with, the search algorithm, the metric it optimises, budgets and policies.
/// Read by <c>SweepSpecLoader</c>; everything here is validated.
/// </summary>
public sealed record SweepSpec
{
    public required string Name { get; init; }

    /// <summary>The base run spec's YAML (inline in the sweep file, or the file it names), already validated as a run spec; a trial is it with its overrides applied.</summary>
    public required string BaseSpecYaml { get; init; }

    /// <summary>The base run spec's file (absolute), or null when the sweep file holds it inline.</summary>
    public string? BaseSpecFile { get; init; }

    public required RunSpec BaseSpec { get; init; }

    /// <summary>The searched fields, in the order the file gives them.</summary>
    public required IReadOnlyList<SweepParameter> Parameters { get; init; }

    /// <summary>The seeds each configuration is trained with (<c>seeds: [1, 2]</c>, or <c>seeds: 3</c> for 0, 1, 2; by default the base spec's seed alone), distinct.</summary>
    public required IReadOnlyList<long> Seeds { get; init; }

    public required SearchAlgorithm Algorithm { get; init; }

    public required SweepMetric Metric { get; init; }

    /// <summary>The most trials (configuration × seed) the sweep creates; for a grid, at least the grid's size (its default).</summary>
    public required int MaxTrials { get; init; }

    public required int MaxConcurrentTrials { get; init; }

    /// <summary>Steps per trial (the base spec's <c>steps</c> unless the sweep sets <c>steps_per_trial</c>).</summary>
    public required long StepsPerTrial { get; init; }

    /// <summary>Ranks per trial (data-parallel trials); the base batch, and every searched batch, splits evenly over them.</summary>
    public int WorldSize { get; init; } = 1;

    /// <summary>The priority of every trial in the scheduler's queue (higher runs first).</summary>
    public int Priority { get; init; }

    /// <summary>The seed of the algorithm's own random choices (random and TPE samples, PBT perturbations).</summary>
    public long Seed { get; init; }

    public TrialPolicy OnCollapse { get; init; } = TrialPolicy.Stop;

    public TrialPolicy OnDiverge { get; init; } = TrialPolicy.Stop;

    /// <summary>Best checkpoints kept per trial (besides its newest).</summary>
    public int KeepBest { get; init; } = 1;

    /// <summary>The checkpoint store's quota for the whole sweep (<c>disk_quota_mb</c>), null for none.</summary>
    public long? DiskQuotaBytes { get; init; }
}

/// <summary>One searched field: a run-spec path (<c>optimizers.g.lr</c>) and the values it may take.</summary>
public sealed record SweepParameter(string Path, ParameterDomain Domain);

/// <summary>What a trial does when its health verdict says collapsed or diverged: stopped early (scored as the worst), or left to train.</summary>
public enum TrialPolicy
{
    Stop,
    Continue,
}
