using TorchSharp;
using static TorchSharp.torch;

namespace GanCluster.Training.Evaluation;

/// <summary>
/// Precision and recall (Kynkäänniemi et al. 2019) and density and coverage (Naeem et al. 2020) of fake
/// features against real ones, with k-nearest-neighbour balls. Distances are computed in row chunks so a
/// 10k × 10k comparison never materialises at once.
/// </summary>
public sealed record NeighbourhoodQuality(int NearestK, double Precision, double Recall, double Density, double Coverage)
{
    private const int ChunkRows = 1024;

    public static NeighbourhoodQuality Compute(Tensor real, Tensor fake, int k = 5)
    {
        using var scope = NewDisposeScope();
        var x = real.to_type(ScalarType.Float32).contiguous();
        var y = fake.to_type(ScalarType.Float32).contiguous();
        if (x.shape[0] <= k || y.shape[0] <= k)
            throw new ArgumentException($"precision/recall with k = {k} need more than {k} samples on each side");
        var realRadii = KthNeighbourDistance(x, k);
        var fakeRadii = KthNeighbourDistance(y, k);
        var fakeInsideReal = zeros(y.shape[0], dtype: ScalarType.Bool);
        var fakeBallCount = zeros(y.shape[0], dtype: ScalarType.Int64);
        long realInsideFake = 0, realCovered = 0;
        for (long start = 0; start < x.shape[0]; start += ChunkRows)
        {
            using var inner = NewDisposeScope();
            var length = Math.Min(ChunkRows, x.shape[0] - start);
            var distances = cdist(x.narrow(0, start, length), y);
            var radii = realRadii.narrow(0, start, length).unsqueeze(1);
            var inBall = distances.le(radii);
            fakeInsideReal.logical_or_(inBall.any(0));
            fakeBallCount.add_(inBall.sum([0], type: ScalarType.Int64));
            realInsideFake += distances.le(fakeRadii.unsqueeze(0)).any(1).sum().ToInt64();
            realCovered += distances.min(1).values.lt(radii.squeeze(1)).sum().ToInt64();
        }
        var n = (double)y.shape[0];
        var m = (double)x.shape[0];
        return new NeighbourhoodQuality(
            k,
            fakeInsideReal.sum().ToInt64() / n,
            realInsideFake / m,
            fakeBallCount.sum().ToInt64() / (k * n),
            realCovered / m);
    }

    /// <summary>Distance from each row to its k-th nearest other row.</summary>
    private static Tensor KthNeighbourDistance(Tensor points, int k)
    {
        var radii = empty(points.shape[0]);
        for (long start = 0; start < points.shape[0]; start += ChunkRows)
        {
            using var inner = NewDisposeScope();
            var length = Math.Min(ChunkRows, points.shape[0] - start);
            // The (k+1)-th smallest distance, because each point is its own nearest neighbour at 0.
            var kth = cdist(points.narrow(0, start, length), points).kthvalue(k + 1, 1).values;
            radii.narrow(0, start, length).copy_(kth);
        }
        return radii;
    }
}
