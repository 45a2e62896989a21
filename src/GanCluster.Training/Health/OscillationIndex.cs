namespace GanCluster.Training.Health;

/// <summary>How a loss series swings over a window: its coefficient of variation and the dominant period from the autocorrelation.</summary>
public readonly record struct Oscillation(double CoefficientOfVariation, double PeriodSteps, double Autocorrelation);

/// <summary>
/// A sliding window over one loss series, sampled at report steps. The coefficient of variation is
/// std / |mean|; the dominant period is the lag of the highest autocorrelation peak after the first
/// zero crossing (0 when the series has no periodic component).
/// </summary>
public sealed class OscillationIndex(int window, long stepsPerSample)
{
    private readonly Queue<double> _values = new();

    public int Count => _values.Count;

    /// <summary>The window's values, oldest first.</summary>
    public IReadOnlyList<double> Values => _values.ToArray();

    /// <summary>Refills the window with saved values (the newest <c>window</c> of them, should the window have shrunk).</summary>
    public void Restore(IEnumerable<double> values)
    {
        _values.Clear();
        foreach (var value in values)
            _values.Enqueue(value);
        while (_values.Count > window)
            _values.Dequeue();
    }

    public Oscillation Add(double value)
    {
        _values.Enqueue(value);
        if (_values.Count > window)
            _values.Dequeue();
        return Compute(_values.ToArray(), stepsPerSample);
    }

    public static Oscillation Compute(IReadOnlyList<double> series, long stepsPerSample)
    {
        var n = series.Count;
        if (n < 4)
            return new Oscillation(0, 0, 0);
        var mean = series.Average();
        var variance = series.Sum(v => (v - mean) * (v - mean)) / n;
        var std = Math.Sqrt(variance);
        var cv = std / Math.Max(Math.Abs(mean), 1e-12);
        if (variance < 1e-18)
            return new Oscillation(cv, 0, 0);

        double Autocorrelation(int lag)
        {
            double sum = 0;
            for (var i = 0; i + lag < n; i++)
                sum += (series[i] - mean) * (series[i + lag] - mean);
            return sum / (n * variance);
        }

        var lag = 1;
        while (lag < n / 2 && Autocorrelation(lag) > 0)
            lag++;
        var bestLag = 0;
        var best = 0.0;
        for (; lag <= n / 2; lag++)
        {
            var r = Autocorrelation(lag);
            if (r > best && r >= Autocorrelation(lag - 1) && (lag + 1 > n / 2 || r >= Autocorrelation(lag + 1)))
                (best, bestLag) = (r, lag);
        }
        return new Oscillation(cv, bestLag * (double)stepsPerSample, best);
    }
}
