namespace GanCluster.Sweeps.Sampling;

/// <summary>
/// Smoothed frequencies over a choice: each observation's kernel puts 1 + 1/kernels on its own value and 1/kernels
/// on every value, normalised; the prior kernel is uniform (Optuna's categorical Parzen estimator).
/// </summary>
internal sealed class CategoricalParzenEstimator : ParzenEstimator
{
    private readonly double[] _probabilities;

    public CategoricalParzenEstimator(IReadOnlyList<double> observations, int choices) : base(observations.Count)
    {
        var kernels = observations.Count + 1;
        _probabilities = new double[choices];
        for (var k = 0; k < kernels; k++)
        {
            var row = Enumerable.Repeat(1.0 / kernels, choices).ToArray();
            if (k < observations.Count)
                row[(int)observations[k]] += 1;
            var sum = row.Sum();
            for (var c = 0; c < choices; c++)
                _probabilities[c] += Weights[k] * row[c] / sum;
        }
    }

    public override double Sample(SweepRandom random)
    {
        var u = random.NextDouble();
        for (var c = 0; c < _probabilities.Length - 1; c++)
        {
            u -= _probabilities[c];
            if (u < 0)
                return c;
        }
        return _probabilities.Length - 1;
    }

    public override double LogDensity(double x) => Math.Log(_probabilities[(int)x]);
}
