namespace GanCluster.Sweeps;

/// <summary>How a trial ended. Collapsed and diverged trials score as the metric's worst; failed ones are not scored.</summary>
public enum TrialEnd
{
    /// <summary>Trained all its steps.</summary>
    Completed,

    /// <summary>Stopped early by the algorithm (or cancelled); scored by its best value so far.</summary>
    Stopped,

    /// <summary>Did not train to the end for a reason unrelated to its hyperparameters (a lost worker, a crash).</summary>
    Failed,

    Collapsed,

    Diverged,
}
