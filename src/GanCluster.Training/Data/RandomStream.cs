namespace GanCluster.Training.Data;

/// <summary>Named random streams, so that data, noise and label tricks never share draws.</summary>
public enum RandomStream
{
    EpochPermutation = 1,
    MixtureSamples = 2,
    DiscriminatorNoise = 3,
    GeneratorNoise = 4,
    LabelFlips = 5,
    InstanceNoise = 6,
    FixedSampleNoise = 7,
    GradientPenalty = 8,
    EvaluatorEpochPermutation = 9,
    EvaluatorReferenceSubset = 10,
    DiscriminatorDropout = 11,
    StandingStatistics = 12,
    Augmentation = 13,
}
