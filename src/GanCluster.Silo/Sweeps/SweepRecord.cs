using GanCluster.Contracts;
using GanCluster.Contracts.Grains;

namespace GanCluster.Silo.Sweeps;

/// <summary>
/// The persisted sweep (stored as rows by <see cref="SweepJournal"/>): its spec, its trials, and every input its algorithm received, in order. The algorithm's
/// own state (rung scores, samplers' RNG positions, PBT's population) is never stored: replaying the inputs into a
/// fresh instance rebuilds it exactly, which is what makes a restarted sweep decide as an uninterrupted one.
/// </summary>
public sealed class SweepRecord
{
    public bool Exists { get; set; }
    public string Id { get; set; } = "";
    public string SweepYaml { get; set; } = "";
    public string? BaseYaml { get; set; }
    public SweepState State { get; set; }
    public DateTimeOffset SubmittedAt { get; set; }
    public string? Error { get; set; }
    public List<RunEvent> Events { get; set; } = [];
    public List<SweepInput> Inputs { get; set; } = [];
    public List<TrialRecord> Trials { get; set; } = [];
}

/// <summary>One input to the algorithm: a trial it created, an evaluation it saw, or a trial's end.</summary>
public sealed record SweepInput(SweepInputKind Kind, int Trial, long Step = 0, double Value = 0, string? End = null);

public enum SweepInputKind
{
    Created,
    Observed,
    Ended,
}

/// <summary>
/// One trial: the run that trains it, its configuration and seed, its progress and its score. A PBT trial trains
/// in segments, one run per interval: <see cref="RunId"/>, <see cref="Values"/> and <see cref="Submitted"/> are its
/// current segment's, and <see cref="Segments"/> is its lineage.
/// </summary>
public sealed class TrialRecord
{
    public int Trial { get; set; }
    public string RunId { get; set; } = "";
    public int Configuration { get; set; }
    public Dictionary<string, string> Values { get; set; } = [];
    public long Seed { get; set; }
    public RunState State { get; set; } = RunState.Pending;
    public long Step { get; set; }
    public double? Best { get; set; }
    public long? BestStep { get; set; }

    /// <summary>The run (a PBT segment's) whose evaluation gave <see cref="Best"/>, and whose folder keeps its checkpoint.</summary>
    public string? BestRunId { get; set; }

    /// <summary>Why the sweep stopped it early (an ASHA rung, a collapsed verdict), or null.</summary>
    public string? Stopped { get; set; }

    /// <summary>Whether its run was created (a trial recorded just before a crash is created on the next activation).</summary>
    public bool Submitted { get; set; }

    public List<TrialPoint> Curve { get; set; } = [];

    /// <summary>The newest step of its current run whose evaluation the sweep has taken (a resumed attempt repeats some).</summary>
    public long Seen { get; set; }

    /// <summary>A PBT trial's segments so far, the current one last; empty for other algorithms.</summary>
    public List<TrialSegment> Segments { get; set; } = [];

    /// <summary>A PBT trial between segments: the step its last segment ended at, checkpointed; null while one trains.</summary>
    public long? Between { get; set; }

    /// <summary>What PBT decided at the trial's last boundary (its next segment's source and configuration), once it has.</summary>
    public SegmentPlan? Next { get; set; }

    /// <summary>Synchronous PBT told the trial to wait at its boundary for the rest of its generation.</summary>
    public bool AwaitingGeneration { get; set; }

    public bool Ended => State is RunState.Completed or RunState.Failed or RunState.Cancelled or RunState.Collapsed or RunState.Diverged;
}

/// <summary>One interval of a PBT trial: the run that trained it, its steps, what it started from, and its configuration.</summary>
public sealed class TrialSegment
{
    public string RunId { get; set; } = "";
    public long FromStep { get; set; }
    public long ToStep { get; set; }

    /// <summary>The trial whose checkpoint it started from, when it exploited one; null when it went on from its own (or started fresh).</summary>
    public int? SourceTrial { get; set; }
    public int Configuration { get; set; }
    public Dictionary<string, string> Values { get; set; } = [];

    /// <summary>The checkpoint it starts from, and that checkpoint's run; null for a trial's first segment.</summary>
    public CheckpointRef? Start { get; set; }
    public string? StartRun { get; set; }

    /// <summary>Its final checkpoint, once it completed.</summary>
    public CheckpointRef? End { get; set; }
}

/// <summary>A PBT trial's next segment as decided at a boundary: exploit <see cref="SourceTrial"/>'s state (or go on from its own) under a configuration.</summary>
public sealed record SegmentPlan(int? SourceTrial, int Configuration, Dictionary<string, string> Values);
