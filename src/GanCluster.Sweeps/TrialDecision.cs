namespace GanCluster.Sweeps;

/// <summary>What the algorithm says about a running trial after one of its evaluations.</summary>
public abstract record TrialDecision
{
    private TrialDecision()
    {
    }

    /// <summary>Train on.</summary>
    public sealed record Continue : TrialDecision;

    /// <summary>Stop the trial now (it is then ended as <see cref="TrialEnd.Stopped"/>); the reason is for people.</summary>
    public sealed record Stop(string Reason) : TrialDecision;

    /// <summary>
    /// PBT's exploit and explore: stop, load the newest checkpoint of <paramref name="SourceTrial"/> (the whole GAN
    /// state), and train on under the new configuration, keeping the trial's number.
    /// </summary>
    public sealed record Exploit(int SourceTrial, TrialConfiguration Configuration) : TrialDecision;

    /// <summary>Synchronous PBT: pause at this interval boundary until the whole generation has reported; ask again with <see cref="ISweepAlgorithm.Resume"/>.</summary>
    public sealed record Wait : TrialDecision;
}
