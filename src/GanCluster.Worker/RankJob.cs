using GanCluster.Contracts;
using GanCluster.Contracts.Health;
using GanCluster.Contracts.Grains;
using GanCluster.Collective;
using GanCluster.Rank;
using GanCluster.Specs;
using GanCluster.Training.Health;
using GanCluster.Training.Runtime;
using GanCluster.Training.Telemetry;

using Microsoft.Extensions.Logging;

namespace GanCluster.Worker;

/// <summary>
/// One assignment on this worker: joins the run, trains its rank (in this process, with the same code as the
/// static launcher's ranks), reports progress and health every few seconds, and tells the run how it ended.
/// </summary>
internal sealed class RankJob(IGrainFactory grains, WorkerOptions options, DataRoots data, WorkerAssignment assignment, ILogger log, RankMeter meter)
{
    private static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(2);
    private readonly CancellationTokenSource _stop = new();
    /// <summary>One report at a time: the first one and the periodic ones would otherwise overlap, and arrive out of order.</summary>
    private readonly SemaphoreSlim _reporting = new(1, 1);
    private int _attempt;

    public WorkerAssignment Assignment => assignment;

    /// <summary>Asks the rank to stop after its current step (rank 0 checkpoints it).</summary>
    public void Stop() => _stop.Cancel();

    /// <summary>
    /// This worker is shutting down: tells the run first (so that the stop requeues it from the checkpoint instead of
    /// cancelling it), then stops the rank after its current step.
    /// </summary>
    public async Task Drain(string reason)
    {
        if (_attempt > 0)
        {
            try
            {
                await grains.GetGrain<IRunGrain>(assignment.RunId).Draining(assignment.Rank, _attempt, reason).WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The silo is unreachable: the lease expires and the scheduler requeues the run anyway.
                log.LogWarning("{Run} rank {Rank}: could not announce the drain ({Error}); the lease will expire", assignment.RunId, assignment.Rank, e.GetType().Name);
            }
        }
        Stop();
    }

    public async Task RunAsync()
    {
        if (ResourceId.Problem(assignment.RunId) is { } badId)
        {
            log.LogError("Assignment refused: the run id {Problem}", badId);
            return;
        }
        var run = grains.GetGrain<IRunGrain>(assignment.RunId);
        RunLaunch? launch;
        try
        {
            launch = await run.Join(assignment.Rank, options.Id);
        }
        catch (Exception e)
        {
            // The silo is restarting, or refused us: the next heartbeat says whether the assignment still stands.
            log.LogWarning("{Run} rank {Rank}: join failed ({Error}: {Message}); retried on the next heartbeat", assignment.RunId, assignment.Rank, e.GetType().Name, e.Message);
            return;
        }
        if (launch is null)
        {
            log.LogInformation("{Run} rank {Rank}: the run is no longer placed on this worker; waiting for the scheduler", assignment.RunId, assignment.Rank);
            return;
        }
        var progress = new Progress();
        using var reporter = new PeriodicTimer(ReportInterval);
        var reporting = ReportAsync(run, progress, reporter);
        // The first health record goes out at once, so that the run shows progress as soon as it trains.
        _ = progress.FirstReport.Task.ContinueWith(_ => Report(run, progress), TaskContinuationOptions.OnlyOnRanToCompletion).Unwrap();
        RunState outcome;
        string? error = null;
        var retryable = false;
        _attempt = launch.Attempt;
        try
        {
            outcome = await Task.Factory.StartNew(() => Train(launch, progress), TaskCreationOptions.LongRunning);
        }
        catch (OperationCanceledException)
        {
            (outcome, error) = (RunState.Cancelled, "stopped while joining the ring");
        }
        catch (Exception e)
        {
            // A lost peer is the cluster's problem, not the run's: it is retried from the last checkpoint. Anything
            // else (a missing dataset, an absent device, a refused spec or checkpoint, a bug) fails the run at once,
            // with its cause, and frees this worker for the next run.
            retryable = e is CollectiveException;
            (outcome, error) = (RunState.Failed, OneLine(e));
            if (!retryable)
                log.LogError(e, "{Run} rank {Rank} failed: {Error}", assignment.RunId, assignment.Rank, error);
        }
        reporter.Dispose();
        await reporting;
        progress.FirstReport.TrySetCanceled();
        // The silo may be restarting: the outcome must still arrive.
        await Retry(() => Report(run, progress));
        await Retry(() => run.Finished(assignment.Rank, _attempt, outcome, progress.Step, error, retryable));
        log.LogInformation("{Run} rank {Rank}: {Outcome} at step {Step}{Error}", assignment.RunId, assignment.Rank, outcome, progress.Step, error is null ? "" : ": " + error);
    }

    /// <summary>The error as one readable line: its message (with the type for anything not one of ours), no control characters.</summary>
    private static string OneLine(Exception e)
    {
        var text = RankFailure.Classify(e) is not null || e is ArgumentException or IOException or DataRootException or CollectiveException or StoreQuotaException
            ? e.Message : $"{e.GetType().Name}: {e.Message}";
        return new string(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Trim();
    }

    private RunState Train(RunLaunch launch, Progress progress)
    {
        var runFolder = Path.Combine(options.Store, assignment.RunId);
        var (spec, yaml) = RunSpecLoader.LoadText(launch.SpecYaml, $"run {assignment.RunId}", [$"threads={options.Threads}"], assignment.RingEndpoints.Count, resolvePaths: false);
        if (spec.Dataset.Path is { } given)
        {
            // Relative paths resolve against this worker's first data root; none may leave its roots.
            var resolved = data.Resolve(given);
            (spec, yaml) = RunSpecLoader.LoadText(launch.SpecYaml, $"run {assignment.RunId}",
                [$"threads={options.Threads}", $"dataset.path='{resolved.Replace("'", "''", StringComparison.Ordinal)}'"], assignment.RingEndpoints.Count);
        }
        // A resume comes from this run's own folder, or from the one run the control plane named as its start.
        var resumeFolder = launch.ResumeFromRun is { } other ? Path.Combine(options.Store, ResourceId.Require(other, "start run id")) : runFolder;
        if (launch.ResumeFrom is { } from && !from.IsInside(resumeFolder))
            throw new ArgumentException($"checkpoint refused: {from.Path} is not in the run folder {Path.Combine(resumeFolder, "checkpoints")}");
        var ring = assignment.RingEndpoints.Count <= 1 ? null : new RingOptions
        {
            RunId = $"{assignment.RunId}#{launch.Attempt}", Rank = assignment.Rank, Endpoints = assignment.RingEndpoints, Secret = launch.Secret,
            // A gang placed on a worker that has just died is found out quickly and placed again.
            ConnectTimeout = TimeSpan.FromSeconds(20),
        };
        var request = new RankRequest
        {
            Spec = spec, SpecYaml = yaml, RunDirectory = runFolder, Ring = ring,
            Resume = launch.ResumeFrom is { } resume ? new ResumePoint(resume.Path, resume.Sha256) : null,
            RunLabel = assignment.RunId,
            MemoryLimitBytes = options.MemoryLimitMegabytes > 0 ? options.MemoryLimitMegabytes << 20 : null,
            ResumableCheckpoint = () => progress.Delivered,
            Quota = launch is { QuotaSweep: { } sweep, DiskQuotaBytes: { } bytes }
                ? new StoreQuota(options.Store, SweepRuns.Prefix(ResourceId.Require(sweep, "sweep id")), bytes, $"sweep {sweep}") : null,
        };
        progress.Spec = spec;
        progress.Delivered = launch.ResumeFrom?.Path;
        using var host = RankHost.Open(request, line => log.LogInformation("{Note}", line), meter, _stop.Token);
        log.LogInformation("{Run} rank {Rank} of {WorldSize}: training {Model} from step {Step} to {Steps}",
            assignment.RunId, assignment.Rank, assignment.RingEndpoints.Count, SpecName.Of(spec.Model.Name), host.Step, spec.Steps);
        var result = host.Train(progress, _stop.Token);
        progress.Step = result.Step;
        return result.Outcome switch
        {
            LoopOutcome.Completed => RunState.Completed,
            LoopOutcome.Diverged => RunState.Diverged,
            _ => RunState.Cancelled,
        };
    }

    /// <summary>One report; the evaluations it carried are dropped from the pending ones only once it arrived.</summary>
    private async Task<RunDirective> Report(IRunGrain run, Progress progress)
    {
        await _reporting.WaitAsync();
        try
        {
            var evaluations = progress.PendingEvaluations();
            var checkpoint = progress.Checkpoint;
            var directive = await run.Report(new RunProgress(assignment.Rank, progress.Step, progress.Health, checkpoint, _attempt) { Evaluations = evaluations });
            progress.Reported(evaluations, checkpoint);
            return directive;
        }
        finally
        {
            _reporting.Release();
        }
    }

    private async Task ReportAsync(IRunGrain run, Progress progress, PeriodicTimer timer)
    {
        try
        {
            while (await timer.WaitForNextTickAsync())
            {
                try
                {
                    if (await Report(run, progress) == RunDirective.Stop)
                        _stop.Cancel();
                }
                catch (Exception e) when (e is not ObjectDisposedException)
                {
                    // The silo is unreachable for now (restarting): training goes on, the next report catches up.
                    log.LogWarning("{Run} rank {Rank}: report failed ({Error}); retrying", assignment.RunId, assignment.Rank, e.GetType().Name);
                }
            }
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task Retry(Func<Task> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await call();
                return;
            }
            catch (Exception e) when (attempt < 60 && e is not ObjectDisposedException)
            {
                await Task.Delay(1000);
            }
        }
    }

    /// <summary>What the loop last told us, read by the reporter, and the evaluation records not yet delivered.</summary>
    private sealed class Progress : ITrainingObserver
    {
        private readonly List<RunHealth> _evaluations = [];

        public RunSpec? Spec { get; set; }
        public long Step { get; set; }
        public RunHealth? Health { get; private set; }
        public CheckpointRef? Checkpoint { get; private set; }

        /// <summary>The checkpoint the control plane would resume from: the newest a report delivered, or the one resumed from.</summary>
        public string? Delivered
        {
            get => Volatile.Read(ref _delivered);
            set => Volatile.Write(ref _delivered, value);
        }

        private string? _delivered;

        public IReadOnlyList<RunHealth> PendingEvaluations()
        {
            lock (_evaluations)
                return [.. _evaluations];
        }

        /// <summary>
        /// A report arrived: drops the records it carried (these, not as many: a record added meanwhile stays pending),
        /// and its checkpoint is now the one the run resumes from.
        /// </summary>
        public void Reported(IReadOnlyList<RunHealth> evaluations, CheckpointRef? checkpoint)
        {
            lock (_evaluations)
                _evaluations.RemoveAll(e => evaluations.Any(d => ReferenceEquals(d, e)));
            if (checkpoint is not null)
                Delivered = checkpoint.Path;
        }

        public void OnStarted(long fromStep, long totalSteps) => Step = fromStep;

        public TaskCompletionSource FirstReport { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void OnReport(HealthRecord record, long totalSteps)
        {
            Step = record.Report.Step;
            Health = WireHealth.From(record);
            if (Spec is { } spec && record.Report.IsFinite && TrainingLoop.IsEvaluationStep(spec, record.Report.Step, totalSteps))
                lock (_evaluations)
                    _evaluations.Add(Health);
            FirstReport.TrySetResult();
        }

        public void OnSamples(long step, string path)
        {
        }

        public void OnCheckpoint(CheckpointWritten c) => (Step, Checkpoint) = (c.Step, new CheckpointRef(c.Path, c.Sha256, c.Step));
    }
}
