using GanCluster.Contracts;
using GanCluster.Sweeps;

namespace GanCluster.Silo.Sweeps;

/// <summary>The one rule for how a trial's run ended, as the search algorithm and the scores see it.</summary>
public static class TrialEnds
{
    /// <summary>The prefix of the reason the sweep gives when it stops a trial for its collapsed verdict.</summary>
    public const string CollapsedReason = "collapsed";

    /// <summary>
    /// Null while the run has not ended. A trial the sweep stopped is Stopped (or Collapsed, when that was why) however
    /// its run ended: a short run may complete before the stop reaches it, and the algorithm must see the same end
    /// either way, so that a replayed sweep decides the same.
    /// </summary>
    public static TrialEnd? Of(RunState state, string? stopped) => state switch
    {
        RunState.Pending or RunState.Scheduled or RunState.Running => null,
        _ when stopped?.StartsWith(CollapsedReason, StringComparison.Ordinal) == true => TrialEnd.Collapsed,
        _ when stopped is not null => TrialEnd.Stopped,
        RunState.Completed => TrialEnd.Completed,
        RunState.Cancelled => TrialEnd.Stopped,
        RunState.Collapsed => TrialEnd.Collapsed,
        RunState.Diverged => TrialEnd.Diverged,
        RunState.Failed => TrialEnd.Failed,
        _ => null,
    };
}
