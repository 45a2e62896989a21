using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using GanCluster.Training.Checkpoints;
using GanCluster.Training.Data;
using GanCluster.Training.Samples;
using GanCluster.Training.Trainer;

namespace GanCluster.Training.Runtime;

/// <summary>How a loop ended.</summary>
public enum LoopOutcome
{
    Completed,
    Cancelled,
}

/// <summary>
/// Drives a trainer to its step budget on the spec's cadence: reports, sample grids and atomic
/// checkpoints (only the writer rank writes). Cancellation checkpoints the current step and returns.
/// </summary>
public sealed class TrainingLoop(GanTrainer trainer, IGanDataset dataset, string specYaml, RunDirectory directory, bool writesFiles = true)
{
    private readonly Spec.RunSpec _spec = trainer.Spec;

    public LoopOutcome Run(long totalSteps, ITrainingObserver observer, CancellationToken cancellation)
    {
        if (writesFiles)
        {
            Directory.CreateDirectory(directory.Root);
            File.WriteAllText(directory.SpecFile, specYaml);
        }
        observer.OnStarted(trainer.Step, totalSteps);
        using var metrics = writesFiles ? new StreamWriter(directory.MetricsFile, append: true) : null;
        var clock = Stopwatch.StartNew();
        var stepsSinceReport = 0L;
        while (trainer.Step < totalSteps)
        {
            if (cancellation.IsCancellationRequested)
            {
                WriteCheckpoint(observer);
                return LoopOutcome.Cancelled;
            }
            var next = trainer.Step + 1;
            var report = trainer.TrainStep(next % _spec.ReportEvery == 0 || next == totalSteps);
            stepsSinceReport++;
            if (report is not null)
            {
                var rate = stepsSinceReport / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
                clock.Restart();
                stepsSinceReport = 0;
                metrics?.WriteLine(JsonSerializer.Serialize(new
                {
                    step = report.Step,
                    d_loss = report.DiscriminatorLoss,
                    g_loss = report.GeneratorLoss,
                    d_real = report.DiscriminatorOnReal,
                    d_fake = report.DiscriminatorOnFake,
                    steps_per_second = Math.Round(rate, 3),
                }));
                metrics?.Flush();
                observer.OnReport(report, totalSteps, rate);
            }
            if (writesFiles && _spec.SampleEvery > 0 && (next % _spec.SampleEvery == 0 || next == totalSteps))
                WriteSamples(observer);
            if (_spec.CheckpointEvery > 0 && (next % _spec.CheckpointEvery == 0 || next == totalSteps))
                WriteCheckpoint(observer);
        }
        return LoopOutcome.Completed;
    }

    private void WriteSamples(ITrainingObserver observer)
    {
        using var samples = trainer.GenerateFixedSamples(_spec.SampleCount);
        var path = directory.SamplesFor(trainer.Step);
        SampleWriter.WritePng(samples, dataset, path);
        observer.OnSamples(trainer.Step, path);
    }

    private void WriteCheckpoint(ITrainingObserver observer)
    {
        if (!writesFiles)
            return;
        var path = directory.CheckpointFor(trainer.Step);
        var checkpoint = TrainerState.Capture(trainer, specYaml);
        var sha = CheckpointFile.Write(path, checkpoint);
        directory.PruneCheckpoints(_spec.KeepCheckpoints);
        observer.OnCheckpoint(trainer.Step, path, sha);
    }

}
