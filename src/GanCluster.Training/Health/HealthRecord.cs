using GanCluster.Training.Evaluation;
using GanCluster.Training.Trainer;

namespace GanCluster.Training.Health;

/// <summary>
/// Everything known about a run's health at one report step: the cheap signals, the loss oscillation
/// over the window, the latest periodic evaluation and the collapse verdict. The control plane consumes these records.
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
    CollapseVerdict Verdict)
{
    public bool Diverged => Verdict == CollapseVerdict.Diverged;

    /// <summary>The latest evaluation's fraction of modes reached (mixtures) or classes covered (images), if any: the collapse measure.</summary>
    public double? Coverage => Mixture is { } m ? (double)m.ModesReached / m.Modes
        : Images is { } i ? (double)i.Classes.ClassesCovered / i.Classes.Classes
        : null;
}
