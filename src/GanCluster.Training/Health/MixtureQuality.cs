namespace GanCluster.Training.Health;

/// <summary>
/// PacGAN/VEEGAN quality of 2D samples against a Gaussian mixture: a sample is high quality within
/// 3 sd of its nearest mode; a mode is covered when it is the nearest mode of at least one
/// high-quality sample; the reverse KL compares the high-quality samples' mode histogram with uniform.
/// <see cref="ModesReached"/> ignores quality: a mode is reached when it is the nearest mode of at least a
/// tenth of its fair share (N / modes) of all samples, the rule images use for classes. It separates mode
/// collapse (modes never reached) from samples that are merely not yet sharp (reached, not covered).
/// </summary>
public sealed record MixtureQuality(int Samples, int Modes, int ModesCovered, double HighQualityFraction, double? ReverseKl, IReadOnlyList<int> ModeHistogram, int ModesReached)
{
    /// <summary>The share of samples that are high quality, each mode's counted up to its fair share (N / modes): 1 only for every mode drawn evenly and sharply, 1/modes for a sharp single mode.</summary>
    public double BalancedQualityFraction => Samples == 0 ? 0 : ModeHistogram.Sum(c => Math.Min(c, (double)Samples / Modes)) / Samples;

    public static MixtureQuality Evaluate(float[,] samples, float[,] modes, double sd)
    {
        var n = samples.GetLength(0);
        var k = modes.GetLength(0);
        var histogram = new int[k];
        var nearestCounts = new int[k];
        var highQuality = 0;
        for (var i = 0; i < n; i++)
        {
            var nearest = 0;
            var bestDistance = double.PositiveInfinity;
            for (var m = 0; m < k; m++)
            {
                var dx = samples[i, 0] - modes[m, 0];
                var dy = samples[i, 1] - modes[m, 1];
                var distance = Math.Sqrt(dx * dx + dy * dy);
                if (distance < bestDistance)
                    (bestDistance, nearest) = (distance, m);
            }
            nearestCounts[nearest]++;
            if (bestDistance <= 3 * sd)
            {
                highQuality++;
                histogram[nearest]++;
            }
        }
        double? kl = null;
        if (highQuality > 0)
            kl = histogram.Where(c => c > 0).Sum(c => (double)c / highQuality * Math.Log((double)c / highQuality * k));
        var reachedThreshold = Math.Max(1, 0.1 * n / k);
        return new MixtureQuality(n, k, histogram.Count(c => c > 0), n == 0 ? 0 : (double)highQuality / n, kl, histogram, nearestCounts.Count(c => c >= reachedThreshold));
    }
}
