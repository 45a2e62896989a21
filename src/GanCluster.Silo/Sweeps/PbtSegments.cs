using GanCluster.Contracts.Grains;
using GanCluster.Specs.Sweeps;
using GanCluster.Sweeps;

namespace GanCluster.Silo.Sweeps;

/// <summary>
/// How a PBT trial trains: in segments, one run per interval, each ending on a boundary with a checkpoint there.
/// At a boundary PBT decides the next segment: go on from the trial's own checkpoint, or exploit a top trial's
/// (its full GAN state) under an explored configuration. Pure rules over the sweep's records; the grain acts.
/// </summary>
internal static class PbtSegments
{
    /// <summary>The step a segment starting at <paramref name="from"/> ends at: the next interval boundary, or the trial's last step.</summary>
    public static long End(long from, PbtSearch pbt, long stepsPerTrial) => Math.Min(from - from % pbt.IntervalSteps + pbt.IntervalSteps, stepsPerTrial);

    /// <summary>A trial's first segment: its own run id, from step 0 with its first configuration.</summary>
    public static TrialSegment First(TrialRecord trial, PbtSearch pbt, long stepsPerTrial) => new()
    {
        RunId = trial.RunId, FromStep = 0, ToStep = End(0, pbt, stepsPerTrial), Configuration = trial.Configuration, Values = new(trial.Values),
    };

    /// <summary>Whether an evaluation at <paramref name="step"/> is the trial's boundary, where PBT's decision about it counts.</summary>
    public static bool IsBoundary(TrialRecord trial, long step, long stepsPerTrial) =>
        trial.Segments.Count > 0 && trial.Segments[^1] is var current && step == current.ToStep && current.ToStep < stepsPerTrial;

    /// <summary>The next segment's plan for a decision: null while it must wait (synchronous PBT's generation barrier).</summary>
    public static SegmentPlan? Plan(TrialDecision decision, TrialRecord trial) => decision switch
    {
        TrialDecision.Exploit exploit => new SegmentPlan(exploit.SourceTrial, exploit.Configuration.Index, new(exploit.Configuration.Values)),
        TrialDecision.Continue => new SegmentPlan(null, trial.Configuration, new(trial.Values)),
        _ => null,
    };

    /// <summary>
    /// Where a trial between segments starts its next one, or null while that checkpoint is not written yet: its own
    /// last checkpoint, or the exploited trial's newest checkpoint up to the boundary (in synchronous PBT, exactly the
    /// boundary's). An exploited trial that ended without one leaves the trial to go on from its own state.
    /// </summary>
    public static (CheckpointRef Start, string Run, int? Source, string? Note)? StartOf(TrialRecord trial, IReadOnlyList<TrialRecord> trials)
    {
        var own = trial.Segments[^1];
        if (trial.Next is not { } plan || trial.Between is not { } boundary || own.End is not { } ownEnd)
            return null;
        if (plan.SourceTrial is not { } source || source == trial.Trial)
            return (ownEnd, own.RunId, null, null);
        var donor = trials.First(t => t.Trial == source);
        var segment = donor.Segments.Where(s => s.ToStep <= boundary).MaxBy(s => s.ToStep);
        if (segment?.End is { } end)
            return (end, segment.RunId, source, null);
        if (!donor.Ended)
            return null;
        return (ownEnd, own.RunId, null, $"trial {source} ended without a checkpoint by step {boundary} to exploit: trial {trial.Trial} goes on from its own state");
    }
}
