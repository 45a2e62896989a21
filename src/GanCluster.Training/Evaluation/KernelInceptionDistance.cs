using TorchSharp;
using GanCluster.Training.Data;
using static TorchSharp.torch;

namespace GanCluster.Training.Evaluation;

/// <summary>
/// KID (Bińkowski et al. 2018): the unbiased MMD² between feature sets under the cubic polynomial kernel
/// k(x, y) = (x·y / d + 1)³, averaged over seeded random subsets so that its cost stays bounded.
/// </summary>
public static class KernelInceptionDistance
{
    public static (double Mean, double StandardDeviation) Compute(Tensor real, Tensor fake, int subsets = 10, int subsetSize = 1000, long seed = 0)
    {
        using var scope = NewDisposeScope();
        var x = real.to_type(ScalarType.Float64);
        var y = fake.to_type(ScalarType.Float64);
        var m = (int)Math.Min(subsetSize, Math.Min(x.shape[0], y.shape[0]));
        if (m < 2)
            throw new ArgumentException("KID needs at least 2 samples on each side");
        var d = x.shape[1];
        using var generator = new Generator((ulong)SeedMixer.Mix(seed, 0x4b4944, m));
        var values = new double[subsets];
        for (var s = 0; s < subsets; s++)
        {
            using var inner = NewDisposeScope();
            var xs = x.index_select(0, randperm(x.shape[0], generator: generator).narrow(0, 0, m));
            var ys = y.index_select(0, randperm(y.shape[0], generator: generator).narrow(0, 0, m));
            var kxx = Kernel(xs, xs, d);
            var kyy = Kernel(ys, ys, d);
            var kxy = Kernel(xs, ys, d);
            var mmd = (kxx.sum() - kxx.trace()) / (m * (m - 1.0))
                    + (kyy.sum() - kyy.trace()) / (m * (m - 1.0))
                    - 2 * kxy.mean();
            values[s] = mmd.ToDouble();
        }
        var mean = values.Average();
        var sd = subsets > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (subsets - 1)) : 0;
        return (mean, sd);
    }

    private static Tensor Kernel(Tensor a, Tensor b, long d) => a.matmul(b.t()).div_(d).add_(1).pow_(3);
}
