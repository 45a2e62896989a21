using System.Diagnostics.Metrics;
using GanCluster.Training.Evaluation;
using GanCluster.Training.Health;
using GanCluster.Training.Telemetry;
using GanCluster.Training.Trainer;

namespace GanCluster.Training.Tests;

public sealed class TrainingMeterTests
{
    private static Dictionary<string, double> Collect(ImageQuality images)
    {
        using var meter = new TrainingMeter();
        var run = Guid.NewGuid().ToString("N"); // only this meter's run is read, whatever else publishes
        var monitor = new HealthMonitor(run, 0, window: 8, reportEvery: 1) { LatestImages = images };
        monitor.Observe(new StepReport(10, 0.7f, 1.2f, 0.6f, 0.4f, 1f, 1f, 0.9f), stepsPerSecond: 5);
        meter.Track(monitor, run, "", 0);
        var values = new Dictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == TrainingMeter.MeterName)
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == "run" && (string?)tag.Value == run)
                    values[instrument.Name] = value;
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return values;
    }

    private static ImageQuality Images(double? agreement) =>
        new("mnist-lenet", 100, new ClassQuality(10, 10, 2.3, 9.7, new int[10], agreement), 0.5, 0.01, 0.001, new NeighbourhoodQuality(5, 0.9, 0.8, 0.9, 0.8));

    [Fact]
    public void Label_agreement_is_exported_for_conditional_runs_only()
    {
        var conditional = Collect(Images(0.987));
        Assert.Equal(0.987, conditional["gancluster_label_agreement"]);
        Assert.Equal(9.7, conditional["gancluster_classifier_score"]);
        var unconditional = Collect(Images(null));
        Assert.False(unconditional.ContainsKey("gancluster_label_agreement"));
        Assert.Equal(9.7, unconditional["gancluster_classifier_score"]);
    }

    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 3, 8, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    /// <summary>The runs a collection of <paramref name="meter"/>'s gancluster_d_loss finds.</summary>
    private static List<string> RunsExported(TrainingMeter meter, string prefix)
    {
        var runs = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == TrainingMeter.MeterName && instrument.Name == "gancluster_d_loss")
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == "run" && tag.Value is string run && run.StartsWith(prefix, StringComparison.Ordinal))
                    runs.Add(run);
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return runs;
    }

    [Fact]
    public void A_finished_runs_series_stay_for_the_linger_so_the_scrape_after_its_final_evaluation_finds_them_then_go()
    {
        var clock = new ManualClock();
        using var meter = new TrainingMeter(TimeSpan.FromSeconds(20), clock);
        var prefix = Guid.NewGuid().ToString("N");
        HealthMonitor Monitor(string run)
        {
            var monitor = new HealthMonitor(run, 0, window: 8, reportEvery: 1);
            monitor.Observe(new StepReport(10, 0.7f, 1.2f, 0.6f, 0.4f, 1f, 1f, 0.9f), stepsPerSecond: 5);
            return monitor;
        }
        meter.Track(Monitor(prefix + "-short"), prefix + "-short", "", 0);
        meter.Track(Monitor(prefix + "-long"), prefix + "-long", "", 0);
        meter.Untrack(prefix + "-short", "", 0);
        Assert.Equal([prefix + "-long", prefix + "-short"], RunsExported(meter, prefix).Order());

        clock.Now += TimeSpan.FromSeconds(19);
        // Untracking again (a second rank host of the run ending) does not extend the linger.
        meter.Untrack(prefix + "-short", "", 0);
        Assert.Equal(2, RunsExported(meter, prefix).Count);
        clock.Now += TimeSpan.FromSeconds(1);
        Assert.Equal([prefix + "-long"], RunsExported(meter, prefix));
        Assert.Equal(1, meter.Tracked);

        // A run that ends and is placed here again (a resume) is published as a training run, with no end in sight.
        meter.Untrack(prefix + "-long", "", 0);
        meter.Track(Monitor(prefix + "-long"), prefix + "-long", "", 0);
        clock.Now += TimeSpan.FromHours(1);
        Assert.Equal([prefix + "-long"], RunsExported(meter, prefix));
    }
}
