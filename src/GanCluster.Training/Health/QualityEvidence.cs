namespace GanCluster.Training.Health;

/// <summary>
/// What one periodic evaluation tells the verdict, the same for mixtures and images: the covered share of modes or
/// classes, the share of samples near the data (high-quality fraction, or k-NN precision for images), the run's
/// quality metric, and (images) the Fréchet distance of the best constant image, below which a run has learnt something.
/// </summary>
public readonly record struct QualityEvidence(double Coverage, double SampleQuality, double Quality, double? ConstantBaseline);
