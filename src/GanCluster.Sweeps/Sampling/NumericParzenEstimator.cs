using MathNet.Numerics.Distributions;

namespace GanCluster.Sweeps.Sampling;

/// <summary>
/// Truncated normal kernels on a numeric axis (in log space for loguniform). Each observation's bandwidth is the
/// larger gap to its neighbours among the observations, the prior's centre and the bounds (the end kernels use their
/// inner gap: consider_endpoints is off), clipped to [range / min(100, 1 + kernels), range] (the magic clip); the
/// prior kernel sits at the centre with the whole range as its width. With a step, the density of a value is the
/// kernel's mass over its cell, as Optuna's discrete distributions have it.
/// </summary>
internal sealed class NumericParzenEstimator : ParzenEstimator
{
    private readonly NumericAxis _axis;
    private readonly double[] _mus;
    private readonly double[] _sigmas;

    public NumericParzenEstimator(IReadOnlyList<double> observations, NumericAxis axis) : base(observations.Count)
    {
        _axis = axis;
        var step = axis.Step ?? 0;
        var range = axis.High - axis.Low + step;
        var priorMu = 0.5 * (axis.Low + axis.High);
        var n = observations.Count;

        var withPrior = observations.Append(priorMu).ToArray();
        var order = Enumerable.Range(0, withPrior.Length).OrderBy(i => withPrior[i]).ToArray();
        var sorted = new double[withPrior.Length + 2];
        sorted[0] = axis.Low - step / 2;
        for (var i = 0; i < order.Length; i++)
            sorted[i + 1] = withPrior[order[i]];
        sorted[^1] = axis.High + step / 2;
        var sortedSigmas = new double[withPrior.Length];
        for (var i = 0; i < sortedSigmas.Length; i++)
            sortedSigmas[i] = Math.Max(sorted[i + 1] - sorted[i], sorted[i + 2] - sorted[i + 1]);
        if (sorted.Length >= 4)
        {
            sortedSigmas[0] = sorted[2] - sorted[1];
            sortedSigmas[^1] = sorted[^2] - sorted[^3];
        }
        var minSigma = range / Math.Min(100.0, 1.0 + n + 1);
        _mus = new double[n + 1];
        _sigmas = new double[n + 1];
        for (var i = 0; i < order.Length; i++)
        {
            if (order[i] >= n)
                continue;
            _mus[order[i]] = withPrior[order[i]];
            _sigmas[order[i]] = Math.Clamp(sortedSigmas[i], minSigma, range);
        }
        _mus[n] = priorMu;
        _sigmas[n] = range;
    }

    /// <summary>A sample in the axis's internal space, snapped onto the step when there is one (the caller snaps it into the domain).</summary>
    public override double Sample(SweepRandom random)
    {
        var k = PickKernel(random);
        var a = (_axis.LowerLimit - _mus[k]) / _sigmas[k];
        var b = (_axis.UpperLimit - _mus[k]) / _sigmas[k];
        var x = _mus[k] + _sigmas[k] * TruncatedStandardNormal(a, b, random.NextDouble());
        if (_axis.Step is { } step)
            x = Math.Clamp(_axis.Low + Math.Round((x - _axis.Low) / step) * step, _axis.Low, _axis.High);
        return x;
    }

    public override double LogDensity(double x)
    {
        var terms = new double[_mus.Length];
        for (var k = 0; k < _mus.Length; k++)
        {
            var mu = _mus[k];
            var sigma = _sigmas[k];
            var accept = LogGaussMass((_axis.LowerLimit - mu) / sigma, (_axis.UpperLimit - mu) / sigma);
            double log;
            if (_axis.Step is { } step)
            {
                var lower = Math.Max(x - step / 2, _axis.LowerLimit);
                var upper = Math.Min(x + step / 2, _axis.UpperLimit);
                log = LogGaussMass((lower - mu) / sigma, (upper - mu) / sigma);
            }
            else
            {
                var z = (x - mu) / sigma;
                log = -0.5 * z * z - Math.Log(sigma) - 0.5 * Math.Log(2 * Math.PI);
            }
            terms[k] = Math.Log(Weights[k]) + log - accept;
        }
        return LogSumExp(terms);
    }

    /// <summary>Inverse-CDF sampling of a standard normal truncated to [a, b], drawn on the left side so the tail keeps its precision.</summary>
    private static double TruncatedStandardNormal(double a, double b, double u)
    {
        if (a > 0)
            return -TruncatedStandardNormal(-b, -a, u);
        var low = Normal.CDF(0, 1, a);
        var high = Normal.CDF(0, 1, b);
        if (!(high > low))
            return Math.Clamp(0, a, b);
        return Math.Clamp(Normal.InvCDF(0, 1, low + u * (high - low)), a, b);
    }

    /// <summary>log(Φ(b) − Φ(a)), computed on the side of zero where it does not cancel.</summary>
    private static double LogGaussMass(double a, double b)
    {
        var mass = a > 0 ? Normal.CDF(0, 1, -a) - Normal.CDF(0, 1, -b) : Normal.CDF(0, 1, b) - Normal.CDF(0, 1, a);
        return Math.Log(Math.Max(mass, double.Epsilon));
    }
}
