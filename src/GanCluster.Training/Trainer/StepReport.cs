namespace GanCluster.Training.Trainer;

/// <summary>
/// Scalars read from the device at a report step. D outputs are mean probabilities for BCE losses,
/// mean scores otherwise. Gradient norms are the global L2 norms before each net's optimizer step;
/// the diversity ratio is the mean pairwise distance within the fake batch over that within the real batch.
/// </summary>
public sealed record StepReport(
    long Step,
    float DiscriminatorLoss,
    float GeneratorLoss,
    float DiscriminatorOnReal,
    float DiscriminatorOnFake,
    float DiscriminatorGradNorm = float.NaN,
    float GeneratorGradNorm = float.NaN,
    float DiversityRatio = float.NaN)
{
    /// <summary>Whether the losses and D outputs are finite: a run whose report is not has diverged.</summary>
    public bool IsFinite =>
        float.IsFinite(DiscriminatorLoss) && float.IsFinite(GeneratorLoss) && float.IsFinite(DiscriminatorOnReal) && float.IsFinite(DiscriminatorOnFake);
}
