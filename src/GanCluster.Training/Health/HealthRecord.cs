using GanCluster.Training.Evaluation;
using GanCluster.Training.Trainer;

namespace GanCluster.Training.Health;

/// <summary>The run's quality metric now (at an evaluation step, else null) and at its best so far.</summary>
public sealed record QualityStanding(string Metric, double? Current, double Best, long BestStep);

/// <summary>
/// Everything known about a run's health at one report step: the cheap signals, the loss oscillation
/// over the window, the latest periodic evaluation, the quality standing and the verdict. The control plane consumes these records.
/// </summary>
public sealed record HealthRecord(
    string Run,
    int Rank,
    StepReport Report,
    Oscillation DiscriminatorLossOscillation,
    Oscillation GeneratorLossOscillation,
    double StepsPerSecond,
    MixtureQuality? Mixture,
    ImageQuality? Images,
    RunVerdict Verdict)
{
    public QualityStanding? Quality { get; init; }

    /// <summary>The best checkpoint the run keeps (<c>keep_best</c>), when it keeps one.</summary>
    public string? BestCheckpoint { get; init; }

    public bool Diverged => Verdict.Diverged;

    /// <summary>The latest evaluation's fraction of modes reached (mixtures) or classes covered (images), if any: the collapse measure.</summary>
    public double? Coverage => Mixture is { } m ? (double)m.ModesReached / m.Modes
        : Images is { } i ? (double)i.Classes.ClassesCovered / i.Classes.Classes
        : null;
}
