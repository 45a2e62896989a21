using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using GanCluster.Training.Health;

namespace GanCluster.Training.Telemetry;

/// <summary>
/// Publishes the latest health record of every tracked run as OpenTelemetry gauges named
/// <c>gancluster_*</c>, labelled <c>run</c>, <c>sweep</c>, <c>rank</c> and (for per-network series) <c>net</c>.
/// Values are read from the records on collection, so training never waits for an exporter.
/// </summary>
/// <remarks>
/// A run that ends keeps its last values for a while (<see cref="DefaultLinger"/>), so that the scrape after its final
/// evaluation still finds them: a short run, or the last minute of a long one, would otherwise end between two scrapes
/// and never reach Prometheus. Then its series go, and a long-lived worker's label sets stay bounded.
/// </remarks>
public sealed class TrainingMeter : IDisposable
{
    public const string MeterName = "GanCluster.Training";

    /// <summary>How long a finished run's series stay: four scrapes at Prometheus's default 15 s interval.</summary>
    public static readonly TimeSpan DefaultLinger = TimeSpan.FromSeconds(60);

    private readonly Meter _meter = new(MeterName);
    private readonly ConcurrentDictionary<(string Run, string Sweep, int Rank), Published> _monitors = new();
    private readonly TimeSpan _linger;
    private readonly TimeProvider _time;

    /// <summary>A run's monitor, and when its series go once the run has ended (null while it trains).</summary>
    private sealed record Published(HealthMonitor Monitor, DateTimeOffset? Until);

    public TrainingMeter(TimeSpan? linger = null, TimeProvider? time = null)
    {
        _linger = linger ?? DefaultLinger;
        ArgumentOutOfRangeException.ThrowIfLessThan(_linger, TimeSpan.Zero, "linger");
        _time = time ?? TimeProvider.System;
        Gauge("gancluster_d_loss", "Discriminator loss at the last report", r => r.Report.DiscriminatorLoss);
        Gauge("gancluster_g_loss", "Generator loss at the last report", r => r.Report.GeneratorLoss);
        Gauge("gancluster_d_real", "Mean D(x) on real data (probability for BCE losses, score otherwise)", r => r.Report.DiscriminatorOnReal);
        Gauge("gancluster_d_fake", "Mean D(G(z)) on generated data", r => r.Report.DiscriminatorOnFake);
        Gauge("gancluster_diversity_ratio", "Mean pairwise distance within a fake batch over that within a real batch", r => r.Report.DiversityRatio);
        Gauge("gancluster_steps_per_second", "Training throughput over the last report interval", r => r.StepsPerSecond);
        Gauge("gancluster_step", "Completed generator steps", r => r.Report.Step);
        Gauge("gancluster_diverged", "1 when a loss, D output or parameter became NaN or infinite", r => r.Diverged ? 1 : 0);
        PerNetwork("gancluster_grad_norm", "Global L2 norm of the network's gradient before its optimizer step",
            r => r.Report.DiscriminatorGradNorm, r => r.Report.GeneratorGradNorm);
        PerNetwork("gancluster_loss_cv", "Coefficient of variation of the network's loss over the oscillation window",
            r => r.DiscriminatorLossOscillation.CoefficientOfVariation, r => r.GeneratorLossOscillation.CoefficientOfVariation);
        PerNetwork("gancluster_loss_period_steps", "Dominant period of the network's loss (autocorrelation peak), 0 when none",
            r => r.DiscriminatorLossOscillation.PeriodSteps, r => r.GeneratorLossOscillation.PeriodSteps);
        PerNetwork("gancluster_loss_autocorrelation", "Autocorrelation of the network's loss at its dominant period",
            r => r.DiscriminatorLossOscillation.Autocorrelation, r => r.GeneratorLossOscillation.Autocorrelation);
        Gauge("gancluster_modes_covered", "Mixture modes that are the nearest mode of a high-quality sample", r => r.Mixture?.ModesCovered);
        Gauge("gancluster_modes_reached", "Mixture modes that are the nearest mode of at least a tenth of their fair share of samples", r => r.Mixture?.ModesReached);
        Gauge("gancluster_modes", "Mixture modes in the true distribution", r => r.Mixture?.Modes);
        Gauge("gancluster_high_quality_fraction", "Fraction of samples within 3 sd of their nearest mode", r => r.Mixture?.HighQualityFraction);
        Gauge("gancluster_mode_reverse_kl", "Reverse KL of the high-quality samples' mode histogram against uniform", r => r.Mixture?.ReverseKl);
        Gauge("gancluster_collapse_verdict", "Collapse verdict (modes and divergence): 0 healthy or unmeasured, 1 collapsing, 2 collapsed, 3 diverged", r => (int)r.Verdict.Collapse);
        _meter.CreateObservableGauge("gancluster_health", ObserveHealth,
            description: "The verdict's state set: 1 for the state each dimension (modes, trend, convergence, summary) is in, 0 for its other states");
        Labelled("gancluster_quality_best", "The run's best value of its quality metric so far (fd for images, balanced_quality_fraction for mixtures)", r => r.Quality?.Best);
        Labelled("gancluster_quality_best_step", "The step of the run's best quality so far, whose checkpoint the run keeps", r => r.Quality?.BestStep);
        Gauge("gancluster_classes_covered", "Classes the evaluator predicts for at least a tenth of their fair share of samples", r => r.Images?.Classes.ClassesCovered);
        Gauge("gancluster_classes", "Classes the dataset's evaluator knows", r => r.Images?.Classes.Classes);
        Gauge("gancluster_label_entropy", "Entropy (nats) of the predicted-label histogram of generated images", r => r.Images?.Classes.LabelEntropy);
        Gauge("gancluster_classifier_score", "exp(E KL(p(y|x) || p(y))) of generated images under the evaluator (Inception-score analogue)", r => r.Images?.Classes.ClassifierScore);
        Gauge("gancluster_label_agreement", "Class-conditional runs: fraction of generated images the evaluator assigns to the class G was given", r => r.Images?.Classes.LabelAgreement);
        Gauge("gancluster_feature_frechet_distance", "Frechet distance of generated to real features in the evaluator's space (not Inception FID)", r => r.Images?.FrechetDistance);
        Gauge("gancluster_kid", "Kernel inception distance (cubic kernel, unbiased MMD^2) in the evaluator's feature space", r => r.Images?.Kid);
        Gauge("gancluster_precision", "Fraction of generated features inside a real k=5 neighbourhood", r => r.Images?.Neighbourhood.Precision);
        Gauge("gancluster_recall", "Fraction of real features inside a generated k=5 neighbourhood", r => r.Images?.Neighbourhood.Recall);
        Gauge("gancluster_density", "Density (Naeem et al.) of generated features, k=5", r => r.Images?.Neighbourhood.Density);
        Gauge("gancluster_coverage", "Coverage (Naeem et al.) of real features by generated ones, k=5", r => r.Images?.Neighbourhood.Coverage);
    }

    /// <summary>Starts publishing a run's health; the latest record is read at each collection.</summary>
    public void Track(HealthMonitor monitor, string run, string sweep, int rank) => _monitors[(run, sweep, rank)] = new(monitor, null);

    /// <summary>The run has ended: its last values stay for the linger, then its series are gone from collections.</summary>
    public void Untrack(string run, string sweep, int rank)
    {
        var key = (run, sweep, rank);
        if (_linger == TimeSpan.Zero)
            _monitors.TryRemove(key, out _);
        else if (_monitors.TryGetValue(key, out var published) && published.Until is null)
            _monitors.TryUpdate(key, published with { Until = _time.GetUtcNow() + _linger }, published);
    }

    /// <summary>The runs whose health is published now: those training, and those ended within the linger.</summary>
    public int Tracked
    {
        get
        {
            Retire();
            return _monitors.Count;
        }
    }

    /// <summary>Forgets the runs whose linger has passed.</summary>
    private void Retire()
    {
        var now = _time.GetUtcNow();
        foreach (var (key, published) in _monitors)
            if (published.Until is { } until && until <= now)
                _monitors.TryRemove(KeyValuePair.Create(key, published));
    }

    private void Gauge(string name, string description, Func<HealthRecord, double?> value) =>
        _meter.CreateObservableGauge(name, () => Observe(value, null), description: description);

    private void PerNetwork(string name, string description, Func<HealthRecord, double?> discriminator, Func<HealthRecord, double?> generator) =>
        _meter.CreateObservableGauge(name, () => Observe(discriminator, "d").Concat(Observe(generator, "g")), description: description);

    /// <summary>A gauge labelled with the run's quality metric.</summary>
    private void Labelled(string name, string description, Func<HealthRecord, double?> value) =>
        _meter.CreateObservableGauge(name, () => Observe(value, null, r => r.Quality is { } q ? [new("metric", q.Metric)] : []), description: description);

    private static readonly (string Dimension, Type States, Func<RunVerdict, Enum> State)[] Dimensions =
    [
        ("modes", typeof(ModeHealth), v => v.Modes),
        ("trend", typeof(QualityTrend), v => v.Trend),
        ("convergence", typeof(Convergence), v => v.Convergence),
        ("summary", typeof(HealthSummary), v => v.Summary),
    ];

    private IEnumerable<Measurement<double>> ObserveHealth()
    {
        foreach (var (dimension, states, state) in Dimensions)
            foreach (var candidate in Enum.GetValues(states).Cast<Enum>())
                foreach (var m in Observe(r => Equals(state(r.Verdict), candidate) ? 1 : 0, null,
                    _ => [new("dimension", dimension), new("state", RunVerdict.Name(candidate))]))
                    yield return m;
    }

    private IEnumerable<Measurement<double>> Observe(Func<HealthRecord, double?> value, string? net, Func<HealthRecord, KeyValuePair<string, object?>[]>? extra = null)
    {
        Retire();
        foreach (var ((run, sweep, rank), (monitor, _)) in _monitors)
        {
            if (monitor.Latest is not { } record || value(record) is not { } v || !double.IsFinite(v))
                continue;
            // A run outside a sweep has no sweep label (Prometheus reads an empty label as none anyway).
            var tags = new List<KeyValuePair<string, object?>>(4) { new("run", run), new("rank", rank) };
            if (sweep.Length > 0)
                tags.Add(new("sweep", sweep));
            if (net is not null)
                tags.Add(new("net", net));
            if (extra is not null)
                tags.AddRange(extra(record));
            yield return new Measurement<double>(v, tags.ToArray());
        }
    }

    public void Dispose() => _meter.Dispose();
}
