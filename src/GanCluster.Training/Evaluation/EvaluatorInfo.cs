namespace GanCluster.Training.Evaluation;

/// <summary>
/// What an evaluator file says about itself: the data it was fitted to, how it was trained, its test
/// accuracy, the checksum of its weights, and the ceiling its metrics reach on real held-out images
/// (null only while the evaluator is being built).
/// <see cref="FeatureScale"/> multiplies the network's raw features so that the training set's mean
/// squared feature is 1: KID's cubic kernel (x·y/d + 1)³ then sees values of order 1, as with Inception features.
/// </summary>
public sealed record EvaluatorInfo(
    string Name,
    string Extractor,
    string DatasetKind,
    string DatasetPath,
    int ImageSize,
    int Channels,
    string DataFingerprint,
    IReadOnlyList<string> ClassNames,
    int TrainSamples,
    int TestSamples,
    double TestAccuracy,
    int Epochs,
    long Seed,
    int Threads,
    string WeightsSha256,
    double FeatureScale,
    double TrainSeconds,
    ImageQuality? Ceiling,
    DateTimeOffset CreatedUtc);
