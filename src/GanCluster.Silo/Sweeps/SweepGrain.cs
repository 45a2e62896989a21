using GanCluster.Contracts;
using GanCluster.Contracts.Grains;
using GanCluster.Contracts.Health;
using GanCluster.Silo.Security;
using GanCluster.Silo.Storage;
using GanCluster.Silo.Telemetry;
using GanCluster.Specs;
using GanCluster.Specs.Sweeps;
using GanCluster.Sweeps;

namespace GanCluster.Silo.Sweeps;

/// <summary>
/// One sweep. Trials are runs tagged with the sweep, queued by the same gang scheduler as any run, at most
/// <c>max_concurrent_trials</c> at once. Every input of the search algorithm is persisted before it acts on it,
/// and the algorithm is rebuilt by replaying them on activation, so a silo killed mid-sweep loses no trial, runs
/// none twice, and makes the same decisions. Runs tell the sweep of their evaluations and their end one-way (a
/// run never waits on its sweep); a timer also polls the trials, so a notice lost in a failover is caught up.
/// </summary>
public sealed class SweepGrain(IRowStorage storage, SweepMeter meter) : Grain, ISweepGrain
{
    private static readonly TimeSpan PollPeriod = TimeSpan.FromSeconds(3);

    private SweepJournal _journal = null!;
    private SweepRecord _sweep = new();
    private SweepSpec? _spec;
    private ISweepAlgorithm? _algorithm;

    /// <summary>Changes that need no write of their own yet (evaluations that decided nothing, runs marked created).</summary>
    private bool _unwritten;

    private static CallerIdentity Caller => CallerIdentity.Current;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        ResourceId.Require(this.GetPrimaryKeyString(), "sweep id");
        _journal = new SweepJournal(storage, this.GetPrimaryKeyString());
        _sweep = await _journal.Load();
        if (!_sweep.Exists)
            return;
        Rebuild();
        this.RegisterGrainTimer(PollAsync, new GrainTimerCreationOptions(PollPeriod, PollPeriod));
        // Trials recorded just before a crash, whose runs may not exist yet.
        await CreateMissingRuns();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        meter.Withdraw(this.GetPrimaryKeyString());
        return Task.CompletedTask;
    }

    public async Task<SweepSnapshot> Submit(SweepSubmission submission)
    {
        Caller.RequireControl("submit sweeps");
        if (_sweep.Exists)
            throw new InvalidOperationException($"sweep {this.GetPrimaryKeyString()} already exists");
        var s = _sweep;
        (s.Id, s.SweepYaml, s.BaseYaml, s.State, s.SubmittedAt, s.Exists) =
            (this.GetPrimaryKeyString(), submission.SweepYaml, submission.BaseYaml, SweepState.Running, DateTimeOffset.UtcNow, true);
        Rebuild();
        s.Events.Add(new RunEvent(s.SubmittedAt, $"submitted: {Describe(_spec!)}"));
        await Write();
        this.RegisterGrainTimer(PollAsync, new GrainTimerCreationOptions(PollPeriod, PollPeriod));
        await Pump();
        return Snapshot();
    }

    public Task<SweepSnapshot?> Get()
    {
        Caller.RequireControl("read sweeps");
        return Task.FromResult(_sweep.Exists ? Snapshot() : null);
    }

    public async Task<SweepSnapshot> Cancel(string reason)
    {
        Caller.RequireControl("cancel sweeps");
        if (!_sweep.Exists)
            throw new KeyNotFoundException($"no sweep {this.GetPrimaryKeyString()}");
        if (_sweep.State != SweepState.Running)
            return Snapshot();
        _sweep.State = SweepState.Cancelled;
        _sweep.Events.Add(new RunEvent(DateTimeOffset.UtcNow, $"cancelled: {reason}"));
        await Write();
        await Task.WhenAll(_sweep.Trials.Where(t => !t.Ended && t.Submitted && t.Between is null)
            .Select(t => GrainFactory.GetGrain<IRunGrain>(t.RunId).Cancel($"its sweep was cancelled: {reason}")));
        // A PBT trial between segments has no run to cancel: it ends here.
        foreach (var trial in _sweep.Trials.Where(t => !t.Ended && t.Between is not null))
            trial.State = RunState.Cancelled;
        await Write();
        return Snapshot();
    }

    public async Task TrialEvaluated(string runId)
    {
        Caller.RequireInternal("report a trial's evaluations");
        // Every evaluation after the sweep's own newest, from the run: after a restart the sweep may not have written
        // the ones before this notice (an evaluation that decided nothing is written with the next change).
        if (Find(runId) is { } trial)
            await CatchUp(trial);
    }

    /// <summary>Feeds a trial's new evaluations to the algorithm, in step order, and acts on its decision.</summary>
    private async Task Observe(TrialRecord trial, IReadOnlyList<RunHealth> evaluations)
    {
        if (trial.Ended || trial.Stopped is not null || trial.Between is not null || _sweep.State != SweepState.Running)
            return;
        var spec = _spec!;
        var acted = false;
        foreach (var evaluation in evaluations.OrderBy(e => e.Step))
        {
            // A resumed attempt evaluates again the steps it repeats: the first evaluation of a step counts.
            if (evaluation.Step <= trial.Seen)
                continue;
            if (HealthMetrics.Read(evaluation, spec.Metric.Name) is not { } value)
                continue;
            trial.Seen = evaluation.Step;
            trial.Step = Math.Max(trial.Step, evaluation.Step);
            trial.Curve.Add(new TrialPoint(evaluation.Step, value));
            if (trial.Best is not { } best || spec.Metric.IsBetter(value, best))
                (trial.Best, trial.BestStep, trial.BestRunId) = (value, evaluation.Step, trial.RunId);
            _sweep.Inputs.Add(new SweepInput(SweepInputKind.Observed, trial.Trial, evaluation.Step, value));
            var decision = _algorithm!.Observe(trial.Trial, evaluation.Step, value);
            var stop = decision is TrialDecision.Stop s ? s.Reason
                : evaluation.Verdict == HealthVerdict.Collapsed && spec.OnCollapse == TrialPolicy.Stop ? $"{TrialEnds.CollapsedReason} verdict at step {evaluation.Step} (on_collapse: stop)"
                : null;
            if (stop is not null)
            {
                trial.Stopped = stop;
                meter.Decided(_sweep.Id, "stop");
                _sweep.Events.Add(new RunEvent(DateTimeOffset.UtcNow, $"trial {trial.Trial} ({trial.RunId}) stopped at step {evaluation.Step}: {stop}"));
                await Write();
                await GrainFactory.GetGrain<IRunGrain>(trial.RunId).Cancel($"stopped by its sweep: {stop}");
                return;
            }
            if (PbtSegments.IsBoundary(trial, evaluation.Step, spec.StepsPerTrial))
            {
                trial.Next = PbtSegments.Plan(decision, trial);
                trial.AwaitingGeneration = trial.Next is null;
                acted = true;
            }
            ResolveWaiting();
        }
        // An evaluation that changed nothing is written with the next change (or by the poll): until then its run
        // keeps it durably, and a restarted sweep takes it again from there, in the same order.
        if (acted)
            await Write();
        else
        {
            _unwritten = true;
            Publish();
        }
    }

    /// <summary>Synchronous PBT: the trials that waited at a boundary learn their decision once their generation is complete.</summary>
    private void ResolveWaiting()
    {
        foreach (var trial in _sweep.Trials.Where(t => t.AwaitingGeneration && !t.Ended))
        {
            if (_algorithm!.Resume(trial.Trial) is { } decision && PbtSegments.Plan(decision, trial) is { } plan)
                (trial.Next, trial.AwaitingGeneration) = (plan, false);
        }
    }

    public async Task TrialEnded(string runId, RunState state, long step)
    {
        Caller.RequireInternal("report a trial's end");
        if (Find(runId) is not { } trial || trial.Ended || trial.Between is not null)
            return;
        // Its last evaluations first (a one-way notice may have been lost), so the algorithm sees them before the end.
        await CatchUp(trial);
        if (await EndSegment(trial, state) is var (ended, why))
        {
            if (ended is null)
                return;
            state = ended.Value;
            _sweep.Events.Add(new RunEvent(DateTimeOffset.UtcNow, $"trial {trial.Trial} ({trial.RunId}) failed: {why}"));
        }
        trial.State = state;
        trial.Step = Math.Max(trial.Step, step);
        var end = TrialEnds.Of(state, trial.Stopped) ?? TrialEnd.Failed;
        _sweep.Inputs.Add(new SweepInput(SweepInputKind.Ended, trial.Trial, End: end.ToString()));
        _algorithm!.Ended(trial.Trial, end);
        // A trial that ends may be the last one its generation waited for.
        ResolveWaiting();
        // Written together with the trials its end lets start.
        await Pump(written: false);
    }

    /// <summary>
    /// A PBT segment that completed on its boundary: the trial goes between segments, its checkpoint recorded, until
    /// its next segment can start (returns (null, null)). One that completed without a checkpoint there, or without a
    /// decision, ends its trial as failed (returns the state and why). Null for every other end.
    /// </summary>
    private async Task<(RunState? State, string? Why)?> EndSegment(TrialRecord trial, RunState state)
    {
        var spec = _spec!;
        if (trial.Segments.Count == 0 || state != RunState.Completed || trial.Stopped is not null || trial.Segments[^1].ToStep >= spec.StepsPerTrial)
            return null;
        var segment = trial.Segments[^1];
        var checkpoint = (await GrainFactory.GetGrain<IRunGrain>(trial.RunId).Get())?.LastCheckpoint;
        if (checkpoint?.Step != segment.ToStep)
            return (RunState.Failed, $"its segment {trial.RunId} completed without a checkpoint at step {segment.ToStep} for PBT to go on from");
        if (trial.Next is null && !trial.AwaitingGeneration)
            return (RunState.Failed, $"its segment {trial.RunId} reported no {spec.Metric.Name} evaluation at step {segment.ToStep} for PBT to rank it by");
        segment.End = checkpoint;
        (trial.Between, trial.State, trial.Step) = (segment.ToStep, RunState.Pending, Math.Max(trial.Step, segment.ToStep));
        await Write();
        await Pump();
        return (null, null);
    }

    /// <summary>Starts a PBT trial's next segment from the checkpoint its plan names: its own, or the exploited trial's.</summary>
    private async Task StartSegment(TrialRecord trial, (CheckpointRef Start, string Run, int? Source, string? Note) start)
    {
        var s = _sweep;
        var plan = trial.Next!;
        var pbt = (PbtSearch)_spec!.Algorithm;
        var segment = new TrialSegment
        {
            RunId = SweepRuns.Segment(s.Id, trial.Trial, trial.Segments.Count), FromStep = start.Start.Step, ToStep = PbtSegments.End(start.Start.Step, pbt, _spec.StepsPerTrial),
            SourceTrial = start.Source, Configuration = plan.Configuration, Values = new(plan.Values), Start = start.Start, StartRun = start.Run,
        };
        trial.Segments.Add(segment);
        (trial.RunId, trial.Configuration, trial.Values, trial.Submitted, trial.Seen) = (segment.RunId, plan.Configuration, new(plan.Values), false, segment.FromStep);
        (trial.Between, trial.Next, trial.State) = (null, null, RunState.Pending);
        var values = string.Join(", ", plan.Values.Select(v => $"{v.Key}={v.Value}"));
        if (start.Source is not null)
            meter.Decided(s.Id, "exploit");
        s.Events.Add(new RunEvent(DateTimeOffset.UtcNow, start.Note ?? (start.Source is { } source
            ? $"trial {trial.Trial} exploits trial {source} at step {start.Start.Step} and explores {values} ({segment.RunId})"
            : $"trial {trial.Trial} goes on from step {start.Start.Step} ({segment.RunId})")));
        // Recorded first, created next, as for a new trial.
        await Write();
        await CreateRun(trial);
    }

    /// <summary>
    /// Starts trials while slots are free and the algorithm has them; ends the sweep when nothing is left. The new
    /// trials are recorded in one write (with whatever else changed, unless <paramref name="written"/>) before any of
    /// their runs is created, and the runs are then created together.
    /// </summary>
    private async Task Pump(bool written = true)
    {
        var s = _sweep;
        var spec = _spec!;
        var created = new List<TrialRecord>();
        // A slot is a training run: a PBT trial between segments holds none.
        while (s.State == SweepState.Running && s.Trials.Count(t => !t.Ended && t.Between is null) < spec.MaxConcurrentTrials)
        {
            // A PBT trial whose next segment can start goes before new trials, in trial order.
            var ready = s.Trials.Where(t => !t.Ended && t.Between is not null).Select(t => (Trial: t, Start: PbtSegments.StartOf(t, s.Trials))).FirstOrDefault(r => r.Start is not null);
            if (ready.Start is { } start)
            {
                if (created.Count > 0)
                {
                    await Write();
                    await Task.WhenAll(created.Select(CreateRun));
                    created.Clear();
                }
                await StartSegment(ready.Trial, start);
                continue;
            }
            if (_algorithm!.Next() is not { } request)
                break;
            s.Inputs.Add(new SweepInput(SweepInputKind.Created, request.Trial));
            var trial = new TrialRecord
            {
                Trial = request.Trial, RunId = SweepRuns.Trial(s.Id, request.Trial), Configuration = request.Configuration.Index,
                Values = new Dictionary<string, string>(request.Configuration.Values), Seed = request.Seed,
            };
            if (spec.Algorithm is PbtSearch pbt)
                trial.Segments.Add(PbtSegments.First(trial, pbt, spec.StepsPerTrial));
            s.Trials.Add(trial);
            created.Add(trial);
        }
        if (created.Count > 0 || !written || _unwritten)
        {
            // Recorded first, created next: a crash in between is repaired on activation, never duplicated.
            await Write();
            await Task.WhenAll(created.Select(CreateRun));
        }
        if (s.State == SweepState.Running && _algorithm!.Finished && s.Trials.All(t => t.Ended))
        {
            s.State = SweepState.Completed;
            var best = SweepViews.BestTrial(s, spec.Metric);
            s.Events.Add(new RunEvent(DateTimeOffset.UtcNow, best is null
                ? $"completed: {s.Trials.Count} trial(s), none scored"
                : $"completed: {s.Trials.Count} trial(s); best {spec.Metric.Name} {best.Best:G6} by trial {best.Trial} ({best.RunId}) at step {best.BestStep}"));
            await Write();
        }
    }

    private async Task CreateRun(TrialRecord trial)
    {
        var spec = _spec!;
        var run = GrainFactory.GetGrain<IRunGrain>(trial.RunId);
        if (await run.Get() is null)
        {
            // Each trial keeps its best checkpoints by the sweep's metric beside its newest (what `sweep best` hands back).
            // A PBT segment trains to its boundary, checkpointed there, from the checkpoint it starts from.
            var segment = trial.Segments.LastOrDefault();
            string[] overrides = [.. trial.Values.Select(v => $"{v.Key}={v.Value}"), $"seed={trial.Seed}", $"steps={segment?.ToStep ?? spec.StepsPerTrial}", $"name={spec.Name}-t{trial.Trial}",
                spec.KeepBest > 0 ? $"keep_best={{ metric: {spec.Metric.Name}, goal: {spec.Metric.Goal.ToString().ToLowerInvariant()}, count: {spec.KeepBest} }}" : "keep_best=none",
                .. spec.Algorithm is PbtSearch pbt && spec.BaseSpec.CheckpointEvery == 0 ? [$"checkpoint_every={pbt.IntervalSteps}"] : Array.Empty<string>()];
            var (runSpec, yaml) = RunSpecLoader.LoadText(spec.BaseSpecYaml, $"sweep {_sweep.Id} trial {trial.Trial}", overrides, spec.WorldSize, resolvePaths: false);
            await run.Submit(new RunSubmission(runSpec.Name, yaml, spec.WorldSize, spec.Priority, runSpec.Steps)
            {
                SweepId = _sweep.Id, StartFrom = segment?.Start, StartFromRun = segment?.StartRun, DiskQuotaBytes = spec.DiskQuotaBytes,
            });
        }
        // Pending means not placed: queueing again is harmless when it is queued already, and repairs a crash when it is not.
        if (await run.Get() is { State: RunState.Pending })
            await GrainFactory.GetGrain<ISchedulerGrain>(0).Enqueue(trial.RunId, spec.WorldSize, spec.Priority, DateTimeOffset.MinValue);
        // Written with the next change: a run created but not marked is found again on activation, never created twice.
        trial.Submitted = true;
        _unwritten = true;
    }

    /// <summary>Writes the sweep's record, with every change held back since the last write.</summary>
    private async Task Write()
    {
        await _journal.Write(_sweep);
        _unwritten = false;
        Publish();
    }

    /// <summary>Hands the sweep's gauges to this silo's exporter.</summary>
    private void Publish() => meter.Publish(SweepViews.Gauges(_sweep, _spec!.Metric));

    private async Task CreateMissingRuns()
    {
        foreach (var trial in _sweep.Trials.Where(t => !t.Submitted && !t.Ended).ToList())
            await CreateRun(trial);
    }

    /// <summary>Catches up with trials whose end (a one-way notice) was lost, and with runs not yet created.</summary>
    private async Task PollAsync(CancellationToken cancellation)
    {
        if (_sweep.State != SweepState.Running)
            return;
        await CreateMissingRuns();
        if (_unwritten)
            await Write();
        foreach (var trial in _sweep.Trials.Where(t => t.Submitted && !t.Ended && t.Between is null).ToList())
        {
            var run = await GrainFactory.GetGrain<IRunGrain>(trial.RunId).Get();
            if (run is { IsTerminal: true } && !trial.Ended)
                await TrialEnded(trial.RunId, run.State, run.Step);
            else if (run is not null)
            {
                (trial.State, trial.Step) = (run.State, Math.Max(trial.Step, run.Step));
                await CatchUp(trial);
            }
        }
    }

    /// <summary>The trial's evaluations that its run holds and this sweep has not seen (the run keeps them durably).</summary>
    private async Task CatchUp(TrialRecord trial)
    {
        var missed = await GrainFactory.GetGrain<IRunGrain>(trial.RunId).Evaluations(trial.Seen);
        if (missed.Count > 0)
            await Observe(trial, missed);
    }

    /// <summary>Parses the spec and replays every recorded input into a fresh algorithm.</summary>
    private void Rebuild()
    {
        _spec = SweepDefinition.Parse(_sweep.SweepYaml, _sweep.BaseYaml, $"sweep {_sweep.Id}");
        _algorithm = SweepAlgorithms.Create(_spec);
        foreach (var input in _sweep.Inputs)
        {
            switch (input.Kind)
            {
                case SweepInputKind.Created:
                    var request = _algorithm.Next();
                    if (request?.Trial != input.Trial)
                        throw new InvalidOperationException($"sweep {_sweep.Id}: replaying its inputs created trial {request?.Trial.ToString() ?? "none"} where trial {input.Trial} was recorded; the algorithm is not deterministic");
                    break;
                case SweepInputKind.Observed:
                    _algorithm.Observe(input.Trial, input.Step, input.Value);
                    break;
                case SweepInputKind.Ended:
                    _algorithm.Ended(input.Trial, Enum.Parse<TrialEnd>(input.End!));
                    break;
            }
        }
    }

    private TrialRecord? Find(string runId) => _sweep.Trials.FirstOrDefault(t => t.RunId == runId);

    private static string Describe(SweepSpec spec) =>
        $"{SweepDefinition.AlgorithmName(spec.Algorithm)} over {spec.Parameters.Count} parameter(s) × {spec.Seeds.Count} seed(s), {spec.Metric.Goal.ToString().ToLowerInvariant()} {spec.Metric.Name}, at most {spec.MaxTrials} trial(s), {spec.MaxConcurrentTrials} at once";

    private SweepSnapshot Snapshot() => SweepViews.Snapshot(_sweep, _spec);
}
