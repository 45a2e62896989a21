using System.Diagnostics;
using GanCluster.Rank.DataParallel;
using GanCluster.Specs;
using GanCluster.Training.Checkpoints;
using GanCluster.Training.Evaluation;
using GanCluster.Training.Health;
using GanCluster.Training.Models;
using GanCluster.Training.Runtime;

namespace GanCluster.Rank;

/// <summary>
/// The one host of a rank, whoever starts it (<c>gancluster train</c>, a static-ring worker, a cluster worker): it
/// restores and verifies the checkpoint, joins the ring, opens the dataset's evaluator on rank 0 for the periodic
/// image metrics, publishes the rank's health on the meter, and drives the training loop, which writes checkpoints.
/// </summary>
public sealed class RankHost : IDisposable
{
    private readonly RankRequest _request;
    private readonly RankSession _session;
    private readonly Evaluator? _evaluator;
    private readonly TrainingLoop _loop;
    private readonly RankMeter? _meter;

    private RankHost(RankRequest request, RankSession session, Evaluator? evaluator, RankMeter? meter)
    {
        (_request, _session, _evaluator, _meter) = (request, session, evaluator, meter);
        _loop = new TrainingLoop(session.Trainer, session.Dataset, request.SpecYaml, new RunDirectory(request.RunDirectory),
            writesFiles: session.IsPrimary, rank: session.Rank, evaluator: evaluator)
        {
            Quota = request.Quota, ResumableCheckpoint = request.ResumableCheckpoint,
        };
        if (meter is null)
            return;
        meter.Health.Track(_loop.Monitor, request.RunLabel, request.SweepLabel, session.Rank);
        if (session.Sync is { } sync)
            sync.Completed += meter.Collective;
    }

    public RunSpec Spec => _request.Spec;
    public int Rank => _session.Rank;
    public int WorldSize => _session.WorldSize;
    public string Device => _session.Trainer.Device.ToString();
    public long Step => _session.Trainer.Step;

    /// <summary>The ring's collectives as they complete (kind, bytes, duration); null for a single process.</summary>
    public RingDataParallelSync? Sync => _session.Sync;

    /// <summary>Opens a rank; <paramref name="say"/> hears what a user should know (image metrics on or off, and why).</summary>
    /// <param name="joining">Abandons joining the ring (a superseded placement).</param>
    public static RankHost Open(RankRequest request, Action<string> say, RankMeter? meter = null, CancellationToken joining = default)
    {
        var spec = request.Spec;
        spec.RequireShardable(request.Ring?.WorldSize ?? 1);
        ModelFootprint.RequireFits(spec, request.Ring?.WorldSize ?? 1, request.MemoryLimitBytes ?? RankRequest.DefaultMemoryLimitBytes());
        var checkpoint = request.Resume is { } resume ? Restore(resume, spec) : null;
        RankSession? session = null;
        Evaluator? evaluator = null;
        try
        {
            session = new RankSession(spec, checkpoint, request.Resume?.Path, request.Ring, joining);
            if (session.Sync is { } sync)
                say($"gradients on the ring: {sync.BucketLayout}");
            evaluator = session.IsPrimary ? FindEvaluator(spec, say) : null;
            var host = new RankHost(request, session, evaluator, meter);
            if (checkpoint is not null)
                RestoreHealth(host._loop.Monitor, checkpoint, request.Resume!.Path, say);
            return host;
        }
        catch
        {
            evaluator?.Dispose();
            session?.Dispose();
            throw;
        }
    }

    /// <summary>Trains to the spec's step budget, or until <paramref name="stop"/> (then after the current step, checkpointed).</summary>
    public RankResult Train(ITrainingObserver observer, CancellationToken stop)
    {
        var trainer = _session.Trainer;
        var from = trainer.Step;
        var (gen0, gen1, gen2, paused) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());
        var clock = Stopwatch.StartNew();
        var outcome = _loop.Run(_request.Spec.Steps, _meter is null ? observer : new MeteredObserver(observer, _meter), stop);
        var elapsed = clock.Elapsed;
        var digest = _session.Sync is null ? null : RingDataParallelSync.ParameterDigest(trainer);
        return new RankResult(outcome, Rank, from, trainer.Step, elapsed, _session.Sync?.CollectiveTimes ?? new Dictionary<string, TimeSpan>(), digest,
            (GC.CollectionCount(0) - gen0, GC.CollectionCount(1) - gen1, GC.CollectionCount(2) - gen2, GC.GetTotalPauseDuration() - paused),
            _session.Sync?.BucketCounts);
    }

    /// <summary>The checkpoint to resume from, read and verified: its digest is the recorded one, and it has steps left to train.</summary>
    private static Checkpoint Restore(ResumePoint resume, RunSpec spec)
    {
        var checkpoint = CheckpointFile.Read(resume.Path);
        if (resume.Sha256 is { } expected && !string.Equals(checkpoint.Sha256, expected, StringComparison.OrdinalIgnoreCase))
            throw new CheckpointException(resume.Path,
                $"SHA-256 {checkpoint.Sha256}, but {expected} was recorded when it was written: the file was replaced or damaged; not resuming from it");
        if (checkpoint.Step >= spec.Steps)
            throw new SpecException(resume.Path, "steps", null, $"more than the checkpoint's step {checkpoint.Step} (nothing to do: raise --steps)", $"{spec.Steps}");
        return checkpoint;
    }

    /// <summary>Continues the health windows saved in the checkpoint; one written before they were saved starts them empty.</summary>
    private static void RestoreHealth(HealthMonitor monitor, Checkpoint checkpoint, string path, Action<string> say)
    {
        if (HealthState.From(checkpoint, path) is { } state)
            monitor.Restore(state);
        else
            say($"note: {path} has no health windows (written by an older version): the loss oscillation and collapse windows start empty, and no evaluation is carried over");
    }

    /// <summary>The image evaluator for the periodic metrics; without one they are off, and the user is told how to get them.</summary>
    private static Evaluator? FindEvaluator(RunSpec spec, Action<string> say)
    {
        if (spec.Health.EvalEvery <= 0 || spec.Dataset.Kind.IsMixture())
            return null;
        var catalog = EvaluatorCatalog.Default();
        var evaluator = catalog.FindFor(spec.Dataset);
        if (evaluator is null)
            say($"warning: image metrics are off: no evaluator in {catalog.Directory} fits {spec.Dataset.Path}; train one with `gancluster evaluator train --dataset … --path {spec.Dataset.Path}`");
        else
            say($"image metrics every {spec.Health.EvalEvery} steps on {spec.Health.EvalSamples} samples with evaluator {evaluator.Info.Name} ({evaluator.Info.Extractor}, test accuracy {evaluator.Info.TestAccuracy:P2})");
        return evaluator;
    }

    /// <summary>Passes everything on to the host's observer, recording step and checkpoint costs on the way.</summary>
    private sealed class MeteredObserver(ITrainingObserver inner, RankMeter meter) : ITrainingObserver
    {
        public void OnStarted(long fromStep, long totalSteps) => inner.OnStarted(fromStep, totalSteps);

        public void OnStep(long step, TimeSpan elapsed)
        {
            meter.Step(elapsed);
            inner.OnStep(step, elapsed);
        }

        public void OnReport(HealthRecord record, long totalSteps) => inner.OnReport(record, totalSteps);

        public void OnSamples(long step, string path) => inner.OnSamples(step, path);

        public void OnCheckpoint(CheckpointWritten checkpoint)
        {
            meter.Checkpoint(checkpoint.Bytes, checkpoint.Duration);
            inner.OnCheckpoint(checkpoint);
        }
    }

    public void Dispose()
    {
        // A finished run's series go with it, so a long-lived worker's label sets stay bounded.
        if (_meter is not null)
        {
            _meter.Health.Untrack(_request.RunLabel, _request.SweepLabel, _session.Rank);
            if (_session.Sync is { } sync)
                sync.Completed -= _meter.Collective;
        }
        _evaluator?.Dispose();
        _session.Dispose();
    }
}
