using GanCluster.Contracts;
using GanCluster.Sweeps;

namespace GanCluster.Silo.Sweeps;

/// <summary>The one rule for how a trial's run ended, as the search algorithm and the scores see it.</summary>
public static class TrialEnds
{
    /// <summary>The prefix of the reason the sweep gives when it stops a trial for its collapsed verdict.</summary>
    public const string CollapsedReason = "collapsed";

    /// <summary>Null while the run has not ended.</summary>
    public static TrialEnd? Of(RunState state, string? stopped) => state switch
    {
        _ when stopped?.StartsWith(CollapsedReason, StringComparison.Ordinal) == true && state == RunState.Cancelled => TrialEnd.Collapsed,
        RunState.Completed => TrialEnd.Completed,
        RunState.Cancelled => TrialEnd.Stopped,
        RunState.Collapsed => TrialEnd.Collapsed,
        RunState.Diverged => TrialEnd.Diverged,
        RunState.Failed => TrialEnd.Failed,
        _ => null,
    };
}
