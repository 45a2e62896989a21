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
}
