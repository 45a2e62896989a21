namespace GanCluster.Sweeps;

/// <summary>
/// A search algorithm as a pure state machine. It is deterministic given its <see cref="GanCluster.Specs.Sweeps.SweepSpec"/>
/// and the sequence of calls, and holds no other state, so the sweep grain rebuilds it after a restart by replaying
/// every call it made into a fresh instance from <see cref="SweepAlgorithms.Create"/>.
/// </summary>
public interface ISweepAlgorithm
{
    /// <summary>The next trial to start now, or null when there is none (yet, or any more). The caller keeps to max_concurrent_trials and asks only when it has a free slot.</summary>
    TrialRequest? Next();

    /// <summary>Records one evaluation of the sweep metric (NaN allowed) at a step of a trial, and says whether the trial goes on.</summary>
    TrialDecision Observe(int trial, long step, double value);

    /// <summary>
    /// For a trial told to <see cref="TrialDecision.Wait"/>: its decision once its generation is complete, null while
    /// it still waits. A query: it changes nothing, so it need not be replayed.
    /// </summary>
    TrialDecision? Resume(int trial) => null;

    /// <summary>Records how a trial ended; a second call for the same trial is ignored.</summary>
    void Ended(int trial, TrialEnd end);

    /// <summary>No more trials will be created and every created one has ended.</summary>
    bool Finished { get; }
}
