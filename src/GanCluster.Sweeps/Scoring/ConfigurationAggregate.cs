namespace GanCluster.Sweeps.Scoring;

/// <summary>
/// One configuration across its seeds. The statistics are over the <see cref="Scored"/> seeds: those with a best
/// value that neither collapsed, diverged nor failed; undefined ones are NaN (the standard deviation and the
/// interval need two seeds). <see cref="Best"/> and <see cref="Worst"/> follow the metric's goal (the minimum is the
/// best for a goal of min). The interval is the mean's 95% confidence interval, with Student's t at Scored − 1
/// degrees of freedom.
/// </summary>
public sealed record ConfigurationAggregate(
    int Configuration,
    int Seeds,
    int Scored,
    int Collapsed,
    int Diverged,
    double Mean,
    double StandardDeviation,
    double ConfidenceLow,
    double ConfidenceHigh,
    double Median,
    double Best,
    double Worst);
