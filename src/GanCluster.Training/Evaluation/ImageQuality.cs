namespace GanCluster.Training.Evaluation;

/// <summary>
/// The quality of generated images in one evaluator's feature space. The Fréchet distance carries the
/// extractor's name (for example <c>fd_mnist-lenet</c>): it is not the Inception FID and is not comparable with it.
/// </summary>
public sealed record ImageQuality(
    string Extractor,
    int Samples,
    ClassQuality Classes,
    double FrechetDistance,
    double Kid,
    double KidStandardDeviation,
    NeighbourhoodQuality Neighbourhood,
    double? ConstantBaseline = null)
{
    /// <summary>
    /// <see cref="ConstantBaseline"/> is the Fréchet distance of the best constant image (every sample the same, with
    /// the real features' mean): tr(Σ) of the real features. Any constant generator scores at least that, so a run
    /// no better than it has learnt nothing a single image could not show.
    /// </summary>
    public string FrechetDistanceName => $"fd_{Extractor}";
}
