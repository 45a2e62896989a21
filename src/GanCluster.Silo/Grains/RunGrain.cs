using GanCluster.Contracts;
using GanCluster.Contracts.Grains;
using GanCluster.Contracts.Health;
using GanCluster.Contracts.Security;
using GanCluster.Silo.Security;

namespace GanCluster.Silo.Grains;

/// <summary>The persisted record of a run (mutable for the storage provider; grains hand out immutable snapshots).</summary>
public sealed class RunRecord
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string SpecYaml { get; set; } = "";
    public RunState State { get; set; }
    public int WorldSize { get; set; }
    public int Priority { get; set; }
    public long Step { get; set; }
    public long TotalSteps { get; set; }
    public List<string> Workers { get; set; } = [];
    public RunHealth? LatestHealth { get; set; }

    /// <summary>The newest checkpoint (an earlier format kept a bare path under <c>LastCheckpoint</c>, which is ignored).</summary>
    public CheckpointRef? NewestCheckpoint { get; set; }
    public List<RunEvent> Events { get; set; } = [];
    public string? Error { get; set; }
    public DateTimeOffset SubmittedAt { get; set; }
    public bool Exists { get; set; }

    /// <summary>Placements so far; reports from an older attempt are stale.</summary>
    public int Attempt { get; set; }

    /// <summary>The spec's <c>health.on_collapse</c>: stop the run on a collapsed verdict, or flag it once.</summary>
    public bool StopOnCollapse { get; set; }
    public bool CollapseFlagged { get; set; }

    /// <summary>The sweep this run is a trial of (told of its evaluations and its end), or null.</summary>
    public string? SweepId { get; set; }

    /// <summary>A sweep trial's records with a periodic evaluation, in step order, each step once (the sweep's durable source).</summary>
    public List<RunHealth> Evaluations { get; set; } = [];

    /// <summary>Why the queued run is not placed yet, as the scheduler last said; null once placed.</summary>
    public string? Waiting { get; set; }

    /// <summary>Another run's checkpoint that the first attempt starts from (see <see cref="RunSubmission.StartFrom"/>), and that run.</summary>
    public CheckpointRef? StartFrom { get; set; }
    public string? StartFromRun { get; set; }

    /// <summary>What the runs of <see cref="SweepId"/> may hold in the store together; null for no quota.</summary>
    public long? DiskQuotaBytes { get; set; }
}

/// <summary>One run: its state machine and history, persisted on every change.</summary>
public sealed class RunGrain([PersistentState("run", SiloStorage.ProviderName)] IPersistentState<RunRecord> run, ClusterKey key) : Grain, IRunGrain
{
    /// <summary>A grain keyed by something that is not a run id is never activated: the key names a folder in the store.</summary>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        ResourceId.Require(this.GetPrimaryKeyString(), "run id");
        return Task.CompletedTask;
    }

    private static CallerIdentity Caller => CallerIdentity.Current;

    public async Task<RunSnapshot> Submit(RunSubmission submission)
    {
        Caller.RequireControl("submit runs");
        if (run.State.Exists)
            throw new InvalidOperationException($"run {this.GetPrimaryKeyString()} already exists");
        var r = run.State;
        (r.Id, r.Name, r.SpecYaml, r.WorldSize, r.Priority, r.TotalSteps, r.StopOnCollapse) =
            (this.GetPrimaryKeyString(), submission.Name, submission.SpecYaml, submission.WorldSize, submission.Priority, submission.TotalSteps, submission.StopOnCollapse);
        r.SweepId = submission.SweepId;
        r.DiskQuotaBytes = submission.SweepId is null ? null : submission.DiskQuotaBytes;
        if (submission.StartFrom is { } start)
        {
            // Only the control plane starts a run from another's checkpoint, and only from a real one of that run.
            Caller.RequireInternal("start a run from another run's checkpoint");
            var from = ResourceId.Require(submission.StartFromRun ?? "", "start run id");
            if (start.Problem(from) is { } problem)
                throw new ArgumentException($"start checkpoint refused: {problem}");
            (r.StartFrom, r.StartFromRun) = (start, from);
        }
        r.State = RunState.Pending;
        r.SubmittedAt = DateTimeOffset.UtcNow;
        r.Exists = true;
        r.Events.Add(new RunEvent(r.SubmittedAt, $"submitted: world size {r.WorldSize}, priority {r.Priority}, {r.TotalSteps} steps"));
        await run.WriteStateAsync();
        return Snapshot();
    }

    public Task<IReadOnlyList<RunHealth>> Evaluations(long afterStep)
    {
        Caller.RequireControl("read a run's evaluations");
        return Task.FromResult<IReadOnlyList<RunHealth>>([.. run.State.Evaluations.Where(e => e.Step > afterStep)]);
    }

    public Task<RunSnapshot?> Get()
    {
        Caller.RequireControl("read runs");
        return Task.FromResult(run.State.Exists ? Snapshot() : null);
    }

    public async Task<RunSnapshot> Cancel(string reason)
    {
        Caller.RequireControl("cancel runs");
        if (!run.State.Exists)
            throw new KeyNotFoundException($"no run {this.GetPrimaryKeyString()}");
        var snapshot = Snapshot();
        if (snapshot.IsTerminal)
            return snapshot;
        await GrainFactory.GetGrain<ISchedulerGrain>(0).Remove(run.State.Id, suspectWorkers: false);
        Transition(RunState.Cancelled, $"cancelled: {reason}");
        await run.WriteStateAsync();
        return Snapshot();
    }

    public async Task Waiting(string reason)
    {
        Caller.RequireInternal("set why a run waits");
        if (run.State.State != RunState.Pending || run.State.Waiting == reason)
            return;
        run.State.Waiting = reason;
        await run.WriteStateAsync();
    }

    public async Task Placed(IReadOnlyList<string> workers)
    {
        Caller.RequireInternal("place runs");
        if (run.State.State != RunState.Pending)
            return;
        run.State.Waiting = null;
        run.State.Workers = [.. workers];
        run.State.Attempt++;
        Transition(RunState.Scheduled, $"placed on {string.Join(", ", workers)} (attempt {run.State.Attempt})");
        await run.WriteStateAsync();
    }

    public async Task<RunLaunch?> Join(int rank, string workerId)
    {
        Caller.RequireWorker(workerId, $"join as {workerId}");
        var r = run.State;
        if (r.State is not (RunState.Scheduled or RunState.Running) || rank >= r.Workers.Count || r.Workers[rank] != workerId)
            return null;
        if (r.State == RunState.Scheduled && rank == 0)
        {
            Transition(RunState.Running, r.NewestCheckpoint is { } newest ? $"running, resumed from {newest.Path} (step {newest.Step})"
                : r.StartFrom is { } start ? $"running, started from run {r.StartFromRun}'s checkpoint {start.Path} (step {start.Step})" : "running");
            await run.WriteStateAsync();
        }
        // Each attempt's ring secret is derived, never stored: the state holds nothing a ring could be joined with.
        // Once the run has a checkpoint of its own, it resumes from that; until then from the one it starts from.
        var launch = r.NewestCheckpoint is null && r.StartFrom is not null
            ? new RunLaunch(r.SpecYaml, key.RingSecret(r.Id, r.Attempt), r.StartFrom, r.Attempt) { ResumeFromRun = r.StartFromRun }
            : new RunLaunch(r.SpecYaml, key.RingSecret(r.Id, r.Attempt), r.NewestCheckpoint, r.Attempt);
        return r.DiskQuotaBytes is { } quota ? launch with { QuotaSweep = r.SweepId, DiskQuotaBytes = quota } : launch;
    }

    public async Task<RunDirective> Report(RunProgress progress)
    {
        var r = run.State;
        if (r.State is not (RunState.Scheduled or RunState.Running) || progress.Attempt != r.Attempt)
            return RunDirective.Stop;
        Caller.RequireWorker(Holder(progress.Rank), $"report for rank {progress.Rank} of run {r.Id}, which it does not hold");
        if (progress.Rank == 0)
        {
            var evaluated = false;
            if (r.SweepId is { } sweep && progress.Evaluations.Count > 0)
            {
                var fresh = progress.Evaluations.Where(e => r.Evaluations.Count == 0 || e.Step > r.Evaluations[^1].Step).OrderBy(e => e.Step).ToList();
                r.Evaluations.AddRange(fresh);
                evaluated = fresh.Count > 0;
                if (evaluated)
                    GrainFactory.GetGrain<ISweepGrain>(sweep).TrialEvaluated(r.Id).Ignore();
            }
            r.Step = progress.Step;
            r.LatestHealth = progress.Health ?? r.LatestHealth;
            if (progress.Health?.Verdict == HealthVerdict.Collapsed)
            {
                if (r.StopOnCollapse)
                {
                    Transition(RunState.Collapsed, $"collapsed verdict at step {progress.Step}: stopped (health.on_collapse: stop)");
                    await run.WriteStateAsync();
                    await GrainFactory.GetGrain<ISchedulerGrain>(0).Remove(r.Id, suspectWorkers: false);
                    return RunDirective.Stop;
                }
                if (!r.CollapseFlagged)
                {
                    r.CollapseFlagged = true;
                    r.Events.Add(new RunEvent(DateTimeOffset.UtcNow, $"flagged: collapsed verdict at step {progress.Step} (health.on_collapse: flag, training goes on)"));
                    await run.WriteStateAsync();
                }
            }
            if (progress.LastCheckpoint?.Problem(r.Id) is { } problem)
                throw new ArgumentException($"checkpoint refused: {problem}");
            var checkpointed = progress.LastCheckpoint is not null && progress.LastCheckpoint != r.NewestCheckpoint;
            if (checkpointed)
            {
                r.NewestCheckpoint = progress.LastCheckpoint;
                r.Events.Add(new RunEvent(DateTimeOffset.UtcNow, $"checkpoint {progress.LastCheckpoint!.Path} (step {progress.LastCheckpoint.Step}, sha256 {progress.LastCheckpoint.Sha256[..12]}…)"));
            }
            // A new checkpoint is written through at once; plain progress at most every few seconds, since the
            // step and health record are re-reported anyway and one SQLite commit per report would cap the
            // silo far below what a cluster of workers sends.
            if (checkpointed || evaluated || DateTimeOffset.UtcNow - _persisted >= ProgressPersistInterval)
            {
                await run.WriteStateAsync();
                _persisted = DateTimeOffset.UtcNow;
            }
        }
        return RunDirective.Continue;
    }

    /// <summary>The attempt whose stop a worker announced as its own shutdown, and why (soft state: a silo restart requeues the run anyway).</summary>
    private (int Attempt, string Reason)? _draining;

    public Task Draining(int rank, int attempt, string reason)
    {
        var r = run.State;
        Caller.RequireWorker(Holder(rank), $"drain rank {rank} of run {r.Id}, which it does not hold");
        if (attempt == r.Attempt && r.State is RunState.Scheduled or RunState.Running)
            _draining = (attempt, reason);
        return Task.CompletedTask;
    }

    public async Task Finished(int rank, int attempt, RunState outcome, long step, string? error, bool retryable)
    {
        var r = run.State;
        if (attempt != r.Attempt || r.State is not (RunState.Scheduled or RunState.Running))
            return;
        Caller.RequireWorker(Holder(rank), $"finish rank {rank} of run {r.Id}, which it does not hold");
        if (rank != 0 && outcome == RunState.Completed)
            return;
        // Stopped because a worker of the gang is shutting down: any rank's stop is a requeue from the checkpoint.
        if (outcome == RunState.Cancelled && _draining is { } drain && drain.Attempt == attempt)
        {
            await Retry($"attempt {attempt} stopped at step {step}: {drain.Reason}");
            return;
        }
        if (outcome == RunState.Failed && retryable)
        {
            await Retry($"attempt {attempt} lost a peer at step {step} (rank {rank}: {error})");
            return;
        }
        r.Step = Math.Max(r.Step, step);
        r.Error = error;
        Transition(outcome, $"{outcome.ToString().ToLowerInvariant()} at step {step} (rank {rank}){(error is null ? "" : ": " + error)}");
        await run.WriteStateAsync();
        await GrainFactory.GetGrain<ISchedulerGrain>(0).Remove(r.Id, suspectWorkers: outcome == RunState.Failed);
    }

    public async Task WorkerLost(string reason)
    {
        Caller.RequireInternal("declare a run's workers lost");
        if (run.State.State is RunState.Scheduled or RunState.Running)
            await Retry($"attempt {run.State.Attempt}: {reason}");
    }

    /// <summary>The worker placed on <paramref name="rank"/> in the current attempt, or null.</summary>
    private string? Holder(int rank) => rank >= 0 && rank < run.State.Workers.Count ? run.State.Workers[rank] : null;

    /// <summary>How often progress alone (step, health record) is written to storage.</summary>
    public static readonly TimeSpan ProgressPersistInterval = TimeSpan.FromSeconds(5);

    private DateTimeOffset _persisted = DateTimeOffset.MinValue;

    /// <summary>Attempts before a run that keeps failing transiently (lost peers, lost leases, silo restarts) is failed.</summary>
    public const int MaxAttempts = 5;

    /// <summary>The wait before attempt n + 1 after a transient failure of attempt n: 1 s, 2 s, 4 s, … at most 30 s.</summary>
    public static TimeSpan Backoff(int attempt) => TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, Math.Max(0, attempt - 1))));

    /// <summary>
    /// A transient failure: frees the gang and queues the run again after a backoff (the next attempt resumes
    /// from the last checkpoint), or fails it once <see cref="MaxAttempts"/> attempts have been made.
    /// </summary>
    private async Task Retry(string why)
    {
        var r = run.State;
        var scheduler = GrainFactory.GetGrain<ISchedulerGrain>(0);
        await scheduler.Remove(r.Id, suspectWorkers: true);
        r.Workers = [];
        if (r.NewestCheckpoint is { } last && last.Step >= r.TotalSteps)
        {
            // The attempt wrote its final checkpoint and was lost before it said so (a silo failover): it is done.
            r.Step = last.Step;
            Transition(RunState.Completed, $"completed at step {last.Step}: the final checkpoint was written before {why}");
            await run.WriteStateAsync();
            return;
        }
        if (r.Attempt >= MaxAttempts)
        {
            r.Error = $"gave up after {r.Attempt} attempts; the last: {why}";
            Transition(RunState.Failed, $"failed: {r.Error}");
            await run.WriteStateAsync();
            return;
        }
        var delay = Backoff(r.Attempt);
        Transition(RunState.Pending, $"{why}; requeued: attempt {r.Attempt + 1} of {MaxAttempts} after {delay.TotalSeconds:0} s of backoff, resuming from {r.NewestCheckpoint?.Path ?? "the start"}");
        await run.WriteStateAsync();
        await scheduler.Enqueue(r.Id, r.WorldSize, r.Priority, DateTimeOffset.UtcNow + delay);
    }

    private void Transition(RunState next, string text)
    {
        run.State.State = next;
        run.State.Events.Add(new RunEvent(DateTimeOffset.UtcNow, text));
        GrainFactory.GetGrain<ISchedulerGrain>(0).RunStateChanged(run.State.Id, next).Ignore();
        if (run.State.SweepId is { } sweep && Snapshot().IsTerminal)
            GrainFactory.GetGrain<ISweepGrain>(sweep).TrialEnded(run.State.Id, next, run.State.Step).Ignore();
    }

    private RunSnapshot Snapshot()
    {
        var r = run.State;
        return new RunSnapshot(r.Id, r.Name, r.State, r.WorldSize, r.Priority, r.Step, r.TotalSteps, [.. r.Workers],
            r.LatestHealth, r.NewestCheckpoint, [.. r.Events], r.Error, r.SubmittedAt, RuntimeIdentity, r.Waiting);
    }
}
