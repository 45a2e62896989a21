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
    NeighbourhoodQuality Neighbourhood)
{
    public string FrechetDistanceName => $"fd_{Extractor}";
}
