using Orleans.Concurrency;

namespace GanCluster.Contracts.Grains;

/// <summary>
/// One sweep, keyed by its id: its spec, its trials (runs tagged with the sweep), and its search algorithm's inputs,
/// persisted so that a restarted silo replays them into the same decisions.
/// </summary>
[Alias("gancluster.ISweepGrain")]
public interface ISweepGrain : IGrainWithStringKey
{
    /// <summary>Records the sweep and starts its first trials; the spec was validated by the API.</summary>
    [Alias("Submit")]
    Task<SweepSnapshot> Submit(SweepSubmission submission);

    [Alias("Get"), AlwaysInterleave]
    Task<SweepSnapshot?> Get();

    /// <summary>Cancels every trial that has not ended and creates no more.</summary>
    [Alias("Cancel")]
    Task<SweepSnapshot> Cancel(string reason);

    /// <summary>
    /// A trial's run holds fresh periodic evaluations; the sweep takes them (and any it missed) from the run, which keeps
    /// them durably. One-way: a run never waits on its sweep.
    /// </summary>
    [Alias("TrialEvaluated"), OneWay]
    Task TrialEvaluated(string runId);

    /// <summary>A trial's run ended. One-way, like <see cref="TrialEvaluated"/>; the sweep also polls its trials, so a lost one is caught up.</summary>
    [Alias("TrialEnded"), OneWay]
    Task TrialEnded(string runId, RunState state, long step);
}
