namespace GanCluster.Specs.Sweeps;

/// <summary>How a sweep chooses its trials and which it stops: <c>algorithm: { kind: grid | random | tpe | asha | pbt, … }</c>.</summary>
public abstract record SearchAlgorithm;

/// <summary>Every combination of the grid axes (choices enumerated too), each with every seed, in file order.</summary>
public sealed record GridSearch : SearchAlgorithm;

/// <summary>Configurations drawn independently from the domains with the sweep's seed.</summary>
public sealed record RandomSearch : SearchAlgorithm;

/// <summary>Optuna's TPE: <see cref="StartupTrials"/> random configurations, then the good/bad split with γ = min(⌈0.1·n⌉, 25) and <see cref="Candidates"/> candidates.</summary>
public sealed record TpeSearch(int StartupTrials = 10, int Candidates = 24) : SearchAlgorithm;

/// <summary>
/// Asynchronous successive halving: rungs at <see cref="GraceSteps"/>·η^k; at each rung a trial goes on only if its
/// score (its best value so far, or the mean of its last <see cref="MeanOfLast"/> evaluations) is in the top 1/η of
/// the trials that reached that rung. New configurations come from <see cref="Sampler"/> (random, TPE or a grid;
/// the loader always sets it, null reads as random).
/// </summary>
public sealed record AshaSearch(long GraceSteps, double Eta = 4, int? MeanOfLast = null, SearchAlgorithm? Sampler = null) : SearchAlgorithm;

/// <summary>
/// Population-based training: every <see cref="IntervalSteps"/>, a trial in the bottom <see cref="Quantile"/> copies
/// the full GAN state of one in the top quantile (exploit) and perturbs its hyperparameters by one of
/// <see cref="Factors"/>, or resamples one with <see cref="ResampleProbability"/> (explore). <see cref="Synchronous"/>
/// waits for the whole generation at each interval, so that a sweep is reproducible bit for bit.
/// </summary>
public sealed record PbtSearch(long IntervalSteps, int PopulationSize, double Quantile = 0.25, double ResampleProbability = 0.25,
    IReadOnlyList<double>? Factors = null, bool Synchronous = false) : SearchAlgorithm
{
    public IReadOnlyList<double> PerturbationFactors => Factors ?? [0.8, 1.2];
}
