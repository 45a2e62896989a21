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
}
