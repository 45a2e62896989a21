using System.Diagnostics.Metrics;
using GanCluster.Specs;
using GanCluster.Training.Checkpoints;
using GanCluster.Training.Runtime;
using GanCluster.Training.Telemetry;

namespace GanCluster.Rank.Tests;

public sealed class RankHostTests
{
    private const string Toy = """
        name: rank-toy
        seed: 3
        steps: 20
        batch_size: 32
        threads: 1
        model: { name: toy, latent_dim: 4, hidden: 16, layers: 2 }
        dataset: { kind: ring8 }
        report_every: 5
        checkpoint_every: 10
        health: { eval_every: 10, eval_samples: 200 }
        """;

    private static RankRequest Request(string directory, string run, string yaml = Toy, ResumePoint? resume = null)
    {
        var (spec, effective) = RunSpecLoader.LoadText(yaml, "test.yaml");
        return new RankRequest { Spec = spec, SpecYaml = effective, RunDirectory = directory, RunLabel = run, SweepLabel = "sweep-a", Resume = resume };
    }

    private static string NewDirectory() => Path.Combine(Path.GetTempPath(), "gancluster-rank-tests", Guid.NewGuid().ToString("N"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class Quiet : ITrainingObserver;

    [Fact]
    public void A_resume_whose_checkpoint_is_not_the_recorded_one_is_refused_before_training()
    {
        var dir = NewDirectory();
        using (var host = RankHost.Open(Request(dir, "first"), _ => { }, null, Ct))
            Assert.Equal(LoopOutcome.Completed, host.Train(new Quiet(), Ct).Outcome);
        var checkpoint = Path.Combine(dir, "checkpoints", "step-00000010.gck");
        var recorded = CheckpointFile.Read(checkpoint).Sha256;
        var longer = Toy.Replace("steps: 20", "steps: 30", StringComparison.Ordinal);

        // The recorded digest resumes; any other digest is a checkpoint error that names both digests.
        using (var resumed = RankHost.Open(Request(NewDirectory(), "again", longer, new ResumePoint(checkpoint, recorded)), _ => { }, null, Ct))
            Assert.Equal(10, resumed.Step);
        var wrong = new string('0', 64);
        var e = Assert.Throws<CheckpointException>(() => RankHost.Open(Request(NewDirectory(), "again", longer, new ResumePoint(checkpoint, wrong)), _ => { }, null, Ct));
        Assert.Contains(recorded!, e.Message);
        Assert.Contains(wrong, e.Message);
        var done = Assert.Throws<SpecException>(() => RankHost.Open(Request(NewDirectory(), "again", Toy.Replace("steps: 20", "steps: 10", StringComparison.Ordinal), new ResumePoint(checkpoint)), _ => { }, null, Ct));
        Assert.Equal("steps", done.FieldPath);
    }

    /// <summary>A long-lived worker trains run after run: each run's health series go when it ends, so the label sets stay bounded.</summary>
    [Fact]
    public void A_finished_runs_health_series_are_removed_so_many_runs_leave_none_behind()
    {
        // No linger (TrainingMeterTests covers it): each run's series go as its host does.
        using var meter = new RankMeter(TimeSpan.Zero);
        var seen = new HashSet<string>();
        var lastCollection = new HashSet<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name is TrainingMeter.MeterName or RankMeter.Name)
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == "run" && tag.Value is string run && run.StartsWith("many-", StringComparison.Ordinal))
                {
                    seen.Add(run);
                    lastCollection.Add(run);
                }
        });
        listener.Start();
        const int runs = 30;
        for (var i = 0; i < runs; i++)
        {
            using var host = RankHost.Open(Request(NewDirectory(), $"many-{i}", Toy.Replace("steps: 20", "steps: 5", StringComparison.Ordinal)), _ => { }, meter, Ct);
            host.Train(new Quiet(), Ct);
            lastCollection.Clear();
            listener.RecordObservableInstruments();
            Assert.Equal([$"many-{i}"], lastCollection); // exported while it trains, and only it
        }
        lastCollection.Clear();
        listener.RecordObservableInstruments();
        Assert.Equal(runs, seen.Count);
        Assert.Empty(lastCollection);
        Assert.Equal(0, meter.Health.Tracked);
    }

    [Fact]
    public void Steps_and_checkpoints_are_recorded_on_the_rank_meter()
    {
        using var meter = new RankMeter();
        var steps = 0L;
        var checkpointBytes = 0L;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == null || instrument.Meter.Name != RankMeter.Name)
                return;
            l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((instrument, _, _, _) =>
        {
            if (instrument.Name == "gancluster_step_seconds")
                Interlocked.Increment(ref steps);
        });
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "gancluster_checkpoint_bytes")
                Interlocked.Add(ref checkpointBytes, value);
        });
        listener.Start();
        var dir = NewDirectory();
        using var host = RankHost.Open(Request(dir, "metered"), _ => { }, meter, Ct);
        host.Train(new Quiet(), Ct);
        Assert.Equal(20, steps);
        var written = Directory.GetFiles(Path.Combine(dir, "checkpoints")).Sum(f => new FileInfo(f).Length);
        Assert.Equal(written, checkpointBytes);
    }
}
