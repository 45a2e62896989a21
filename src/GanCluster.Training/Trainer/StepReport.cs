namespace GanCluster.Training.Trainer;

/// <summary>Scalars read from the device at a report step. D outputs are mean probabilities for BCE losses, mean scores otherwise.</summary>
public sealed record StepReport(long Step, float DiscriminatorLoss, float GeneratorLoss, float DiscriminatorOnReal, float DiscriminatorOnFake);
