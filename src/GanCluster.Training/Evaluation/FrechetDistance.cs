using TorchSharp;
using static TorchSharp.torch;

namespace GanCluster.Training.Evaluation;

/// <summary>
/// The Fréchet distance between two Gaussians fitted to feature sets:
/// |μ₁ − μ₂|² + tr(Σ₁ + Σ₂ − 2 (Σ₁^½ Σ₂ Σ₁^½)^½). Computed in float64 through symmetric eigendecompositions,
/// which stay real and stable where a general matrix square root does not.
/// </summary>
public static class FrechetDistance
{
    /// <summary>Mean [d] and covariance [d, d] (unbiased) of features [n, d], in float64.</summary>
    public static (Tensor Mean, Tensor Covariance) Moments(Tensor features)
    {
        if (features.dim() != 2 || features.shape[0] < 2)
            throw new ArgumentException($"features must be [n ≥ 2, d], found [{string.Join(", ", features.shape)}]");
        using var scope = NewDisposeScope();
        var x = features.to_type(ScalarType.Float64);
        var mean = x.mean([0]);
        var centred = x - mean;
        var covariance = centred.t().matmul(centred).div_(x.shape[0] - 1);
        return (mean.MoveToOuterDisposeScope(), covariance.MoveToOuterDisposeScope());
    }

    public static double Compute(Tensor mean1, Tensor covariance1, Tensor mean2, Tensor covariance2)
    {
        using var scope = NewDisposeScope();
        var m1 = mean1.to_type(ScalarType.Float64);
        var m2 = mean2.to_type(ScalarType.Float64);
        var s1 = Symmetric(covariance1.to_type(ScalarType.Float64));
        var s2 = Symmetric(covariance2.to_type(ScalarType.Float64));
        var rootS1 = PsdSqrt(s1);
        var middle = Symmetric(rootS1.matmul(s2).matmul(rootS1));
        var traceRoot = linalg.eigvalsh(middle).clamp_min(0).sqrt().sum();
        var distance = (m1 - m2).square().sum() + s1.trace() + s2.trace() - 2 * traceRoot;
        return Math.Max(0, distance.ToDouble());
    }

    public static double Compute(Tensor features1, Tensor features2)
    {
        var (m1, s1) = Moments(features1);
        var (m2, s2) = Moments(features2);
        using (m1) using (s1) using (m2) using (s2)
            return Compute(m1, s1, m2, s2);
    }

    private static Tensor Symmetric(Tensor m) => (m + m.t()).mul_(0.5);

    private static Tensor PsdSqrt(Tensor m)
    {
        var (values, vectors) = linalg.eigh(m);
        return vectors.mul(values.clamp_min(0).sqrt().unsqueeze(0)).matmul(vectors.t());
    }
}
