using GanCluster.Training.Trainer;

namespace GanCluster.Training.Health;

/// <summary>
/// Everything known about a run's health at one report step: the cheap signals, the loss oscillation
/// over the window, and the latest periodic evaluation. The control plane consumes these records.
/// </summary>
public sealed record HealthRecord(
    string Run,
    int Rank,
    StepReport Report,
    Oscillation DiscriminatorLossOscillation,
    Oscillation GeneratorLossOscillation,
    double StepsPerSecond,
    MixtureQuality? Mixture,
    bool Diverged);
