using System.Diagnostics;
using System.Text.Json;
using GanCluster.Specs;
using GanCluster.Training.Checkpoints;
using GanCluster.Training.Data;
using GanCluster.Training.Models;
using GanCluster.Training.Evaluation;
using GanCluster.Training.Health;
using GanCluster.Training.Samples;
using GanCluster.Training.Trainer;

namespace GanCluster.Training.Runtime;

/// <summary>How a loop ended.</summary>
public enum LoopOutcome
{
    Completed,
    Cancelled,
    /// <summary>A loss, D output or parameter became NaN or infinite; no checkpoint was written after it.</summary>
    Diverged,
}

/// <summary>
/// Drives a trainer to its step budget on the spec's cadence: health records, periodic evaluation,
/// sample grids and atomic checkpoints. A checkpoint step is always a report step, and parameters are
/// checked finite before writing, so a diverged run keeps its last good checkpoint.
/// </summary>
/// <remarks>Image runs get their periodic evaluation from <paramref name="evaluator"/>, the dataset's evaluator network, when there is one.</remarks>
public sealed class TrainingLoop(GanTrainer trainer, IGanDataset dataset, string specYaml, RunDirectory directory, bool writesFiles = true, int rank = 0, Evaluator? evaluator = null)
{
    private readonly RunSpec _spec = trainer.Spec;
    private readonly BestCheckpoints? _best = writesFiles && trainer.Spec.KeepBest is { } keep ? new BestCheckpoints(directory, keep) : null;

    /// <summary>The disk quota the run's checkpoints count against (a sweep's), or null.</summary>
    public StoreQuota? Quota { get; init; }

    /// <summary>
    /// The checkpoint the control plane would resume this run from: the newest one a report has delivered (or the one
    /// this attempt resumed from). Pruning keeps it whatever <c>keep_checkpoints</c> says: the run may write and prune
    /// several before its next report, and a worker killed then would leave its run nothing to resume from.
    /// </summary>
    public Func<string?>? ResumableCheckpoint { get; init; }

    /// <summary>The run's best checkpoints by <c>keep_best</c>'s metric, best first; empty without it.</summary>
    public IReadOnlyList<BestCheckpoint> Best => _best?.Kept ?? [];

    public HealthMonitor Monitor { get; } = new(trainer.Spec.Name, rank, trainer.Spec.Health.Window, trainer.Spec.ReportEvery,
        quality: Specs.Sweeps.SweepMetric.QualityOf(trainer.Spec.Dataset.Kind), measurable: Measures(writesFiles, dataset, evaluator));

    /// <summary>Whether this loop evaluates the run: rank 0 (the one that writes files) of a mixture, or of images with an evaluator.</summary>
    private static bool Measures(bool writesFiles, IGanDataset dataset, Evaluator? evaluator) =>
        writesFiles && (dataset is GaussianMixture || evaluator is not null);

    public LoopOutcome Run(long totalSteps, ITrainingObserver observer, CancellationToken cancellation)
    {
        if (writesFiles)
        {
            Directory.CreateDirectory(directory.Root);
            File.WriteAllText(directory.SpecFile, specYaml);
            // A resumed run rewrites what came after its checkpoint, so each step is recorded once.
            directory.DropMetricsAfter(trainer.Step);
            _best?.DropAfter(trainer.Step);
        }
        observer.OnStarted(trainer.Step, totalSteps);
        using var metrics = writesFiles ? new StreamWriter(directory.MetricsFile, append: true) : null;
        var clock = Stopwatch.StartNew();
        var stepsSinceReport = 0L;
        while (trainer.Step < totalSteps)
        {
            var stop = cancellation.IsCancellationRequested;
            if (trainer.Sync is { } sync)
                stop = sync.AnyRank(stop, trainer.Step);
            if (stop)
                return WriteCheckpoint(observer) ? LoopOutcome.Cancelled : LoopOutcome.Diverged;
            var next = trainer.Step + 1;
            var checkpointStep = _spec.CheckpointEvery > 0 && (next % _spec.CheckpointEvery == 0 || next == totalSteps);
            var started = Stopwatch.GetTimestamp();
            // An evaluation step reports too, so that health.eval_every holds whatever report_every is.
            var report = trainer.TrainStep(next % _spec.ReportEvery == 0 || next == totalSteps || checkpointStep || IsEvaluationStep(_spec, next, totalSteps));
            stepsSinceReport++;
            if (report is not null)
            {
                var rate = stepsSinceReport / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
                clock.Restart();
                stepsSinceReport = 0;
                var evaluated = report.IsFinite && IsEvaluationStep(_spec, next, totalSteps) && Evaluate(next);
                var record = Monitor.Observe(report, rate, evaluated);
                if (evaluated && _best is { } best && HealthRecordJson.Value(record, _spec.KeepBest!.Metric) is { } value && best.Qualifies(value) && trainer.ParametersAreFinite())
                    best.Add(next, value, Write);
                if (_best is { Kept.Count: > 0 } kept)
                    record = record with { BestCheckpoint = kept.Kept[0].Path };
                metrics?.WriteLine(JsonSerializer.Serialize(HealthRecordJson.From(record)));
                metrics?.Flush();
                observer.OnReport(record, totalSteps);
                if (record.Diverged)
                    return LoopOutcome.Diverged;
            }
            if (writesFiles && _spec.SampleEvery > 0 && (next % _spec.SampleEvery == 0 || next == totalSteps))
                WriteSamples(observer);
            if (checkpointStep && !WriteCheckpoint(observer))
                return LoopOutcome.Diverged;
            observer.OnStep(next, Stopwatch.GetElapsedTime(started));
        }
        return LoopOutcome.Completed;
    }

    /// <summary>Whether the record of <paramref name="step"/> carries a fresh periodic evaluation (on rank 0, when the losses are finite).</summary>
    public static bool IsEvaluationStep(RunSpec spec, long step, long totalSteps) =>
        spec.Health.EvalEvery > 0 && (step % spec.Health.EvalEvery == 0 || step == totalSteps);

    /// <summary>The periodic evaluation: mode metrics for a 2D mixture, feature-space metrics for images with an evaluator; false when nothing was measured.</summary>
    private bool Evaluate(long step)
    {
        // One rank evaluates for the run: the others would only repeat its numbers.
        if (!Measures(writesFiles, dataset, evaluator))
            return false;
        using var samples = trainer.GenerateSamples(_spec.Health.EvalSamples, index: 1 + step);
        if (dataset is GaussianMixture mixture)
            Monitor.LatestMixture = MixtureQuality.Evaluate(SampleWriter.ToPoints(samples), mixture.Modes, mixture.StandardDeviation);
        else
        {
            using var given = ClassConditioning.SampleLabels(_spec.Health.EvalSamples, _spec.Model.Classes);
            Monitor.LatestImages = evaluator!.Evaluate(samples, given);
        }
        return true;
    }

    private void WriteSamples(ITrainingObserver observer)
    {
        using var samples = trainer.GenerateFixedSamples(_spec.SampleCount);
        var path = directory.SamplesFor(trainer.Step);
        SampleWriter.WritePng(samples, dataset, path);
        observer.OnSamples(trainer.Step, path);
    }

    /// <summary>The trainer's state and the health windows, written atomically to <paramref name="path"/>; returns its SHA-256.</summary>
    private string Write(string path)
    {
        var state = TrainerState.Capture(trainer, specYaml);
        var entries = state.Entries.Append(Monitor.Capture().ToEntry()).ToList();
        // The file is its entries' bytes and a small header per entry: counted before a byte is written.
        Quota?.Require(entries.Sum(e => e.Data.Length + 256L) + 4096, Path.GetFileName(path));
        return CheckpointFile.Write(path, state with { Entries = entries });
    }

    /// <summary>Writes a checkpoint of the current step, or returns false (writing nothing) when a parameter is not finite.</summary>
    private bool WriteCheckpoint(ITrainingObserver observer)
    {
        // Every rank checks (their parameters are identical), so all of them stop together on divergence.
        if (!trainer.ParametersAreFinite())
            return false;
        if (!writesFiles)
            return true;
        var started = Stopwatch.GetTimestamp();
        var path = directory.CheckpointFor(trainer.Step);
        var sha = Write(path);
        var written = new CheckpointWritten(trainer.Step, path, sha, new FileInfo(path).Length, Stopwatch.GetElapsedTime(started));
        directory.PruneCheckpoints(_spec.KeepCheckpoints, ResumableCheckpoint?.Invoke());
        observer.OnCheckpoint(written);
        return true;
    }
}
