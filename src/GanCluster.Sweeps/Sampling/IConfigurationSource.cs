namespace GanCluster.Sweeps.Sampling;

/// <summary>Where new configurations come from: an enumeration (grid) or a sampler (random, TPE) that may learn from the trials so far.</summary>
internal interface IConfigurationSource
{
    /// <summary>The raw values of the next configuration (see <see cref="ParameterSpace"/>), or null when there are no more.</summary>
    IReadOnlyList<double>? Next(IReadOnlyList<TrialRecord> trials);

    /// <summary>Whether <see cref="Next"/> will never give another configuration.</summary>
    bool Exhausted { get; }
}
