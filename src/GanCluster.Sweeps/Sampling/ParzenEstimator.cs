namespace GanCluster.Sweeps.Sampling;

/// <summary>
/// Optuna's univariate Parzen estimator: one kernel per observation plus a prior kernel (weight 1), the observation
/// weights ramped so that all but the newest 25 count less, and kernels as Optuna builds them (see the two kinds).
/// </summary>
internal abstract class ParzenEstimator
{
    protected ParzenEstimator(int observations)
    {
        var weights = ObservationWeights(observations).Append(1.0).ToArray();
        var sum = weights.Sum();
        Weights = [.. weights.Select(w => w / sum)];
    }

    /// <summary>The mixture weights, the prior's last.</summary>
    protected double[] Weights { get; }

    public abstract double Sample(SweepRandom random);

    public abstract double LogDensity(double x);

    /// <summary>Optuna's default_weights: all ones below 25 observations, else a ramp from 1/n for the oldest n − 25, then ones.</summary>
    public static double[] ObservationWeights(int n)
    {
        if (n < 25)
            return [.. Enumerable.Repeat(1.0, n)];
        var ramp = n - 25;
        var w = new double[n];
        for (var i = 0; i < ramp; i++)
            w[i] = ramp == 1 ? 1.0 / n : 1.0 / n + (1.0 - 1.0 / n) * i / (ramp - 1);
        for (var i = ramp; i < n; i++)
            w[i] = 1;
        return w;
    }

    protected int PickKernel(SweepRandom random)
    {
        var u = random.NextDouble();
        for (var k = 0; k < Weights.Length - 1; k++)
        {
            u -= Weights[k];
            if (u < 0)
                return k;
        }
        return Weights.Length - 1;
    }

    protected static double LogSumExp(IEnumerable<double> terms)
    {
        var list = terms.ToArray();
        var max = list.Max();
        if (double.IsNegativeInfinity(max))
            return max;
        return max + Math.Log(list.Sum(t => Math.Exp(t - max)));
    }
}
