using GanCluster.Contracts;
using GanCluster.Contracts.Grains;

namespace GanCluster.Silo.Sweeps;

/// <summary>
/// The persisted sweep: its spec, its trials, and every input its algorithm received, in order. The algorithm's
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

/// <summary>One trial: the run that trains it, its configuration and seed, its progress and its score.</summary>
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

    /// <summary>Why the sweep stopped it early (an ASHA rung, a collapsed verdict), or null.</summary>
    public string? Stopped { get; set; }

    /// <summary>Whether its run was created (a trial recorded just before a crash is created on the next activation).</summary>
    public bool Submitted { get; set; }

    public List<TrialPoint> Curve { get; set; } = [];

    public bool Ended => State is RunState.Completed or RunState.Failed or RunState.Cancelled or RunState.Collapsed or RunState.Diverged;
}
