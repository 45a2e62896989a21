using System.CommandLine;
using System.Runtime.InteropServices;
using GanCluster.Distributed.Collective;
using GanCluster.Distributed.DataParallel;
using GanCluster.Distributed.Launch;
using GanCluster.Training.Checkpoints;
using GanCluster.Training.Data;
using GanCluster.Training.Evaluation;
using GanCluster.Training.Runtime;
using GanCluster.Specs;
using GanCluster.Training.Trainer;
using GanCluster.Cli.Telemetry;
using GanCluster.Training.Telemetry;
using Spectre.Console;

namespace GanCluster.Cli.Commands;

/// <summary><c>gancluster train SPEC [--out DIR] [--steps N] [--resume CKPT] [--set PATH=VALUE]... [--world-size N]</c></summary>
internal static class TrainCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var o = new TrainOptions();
        var worldSize = new Option<int>("--world-size") { Description = "data-parallel ranks: starts this many worker processes on this machine, joined in a gRPC ring", DefaultValueFactory = _ => 1 };
        var ringHost = new Option<string>("--ring-host") { Description = "address the ranks listen on", DefaultValueFactory = _ => "127.0.0.1" };
        var ringPort = new Option<int?>("--ring-port") { Description = "first port of the ring (rank r uses PORT + r); default: free ports" };
        var command = new Command("train", "Train one run: in this process, or data-parallel over --world-size local worker processes.") { worldSize, ringHost, ringPort };
        o.AddTo(command);
        command.SetAction(parsed => UserErrors.Run(console, () =>
        {
            var n = parsed.GetValue(worldSize);
            if (n < 1 || n > 64)
                throw new UsageException($"--world-size must be 1..64, found {n}");
            if (n == 1)
                return Train(console, o.Read(parsed), rank: null);
            return DataParallelLauncher.Launch(console, o.Read(parsed), n, parsed.GetValue(ringHost)!, parsed.GetValue(ringPort));
        }));
        return command;
    }

    /// <summary>The hidden verb the launcher starts once per rank; its place in the ring comes from the environment.</summary>
    public static Command CreateWorker(IAnsiConsole console)
    {
        var o = new TrainOptions();
        var command = new Command("worker", "One rank of a data-parallel run (started by `train --world-size N`).") { Hidden = true };
        o.AddTo(command);
        command.SetAction(parsed => UserErrors.Run(console, () => Train(console, o.Read(parsed), WorkerEnvironment.Read())));
        return command;
    }

    private static int Train(IAnsiConsole console, TrainRequest request, RingOptions? rank)
    {
        var (spec, yaml) = RunSpecLoader.LoadFile(request.SpecPath, request.Overrides);
        var checkpoint = request.ResumePath is null ? null : CheckpointFile.Read(request.ResumePath);
        if (checkpoint is not null && checkpoint.Step >= spec.Steps)
            return UserErrors.Report(console, "nothing to do", $"{request.ResumePath} is at step {checkpoint.Step}, the spec asks for {spec.Steps} steps; raise --steps", ExitCodes.UsageError);
        var directory = new RunDirectory(request.OutDir ?? Path.Combine("runs", spec.Name));
        var rankIndex = rank?.Rank ?? 0;
        var worldSize = rank?.WorldSize ?? 1;
        using var session = new RankSession(spec, checkpoint, request.ResumePath, rank);
        var (trainer, dataset, sync) = (session.Trainer, session.Dataset, session.Sync);

        using var cancellation = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        // SIGTERM (kill, Kubernetes) stops like Ctrl+C: checkpoint the current step, then exit.
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            cancellation.Cancel();
        });
        try
        {
            var where = worldSize == 1 ? "" : $", rank {rankIndex} of {worldSize}";
            console.MarkupLineInterpolated($"[bold]{spec.Name}[/]: {spec.Model.Name} on {spec.Dataset.Kind}, batch {spec.BatchSize}, {spec.Steps} steps, device {trainer.Device}, {TorchSharp.torch.get_num_threads()} thread(s){where} → {directory.Root}");
            using var evaluator = rankIndex == 0 ? FindEvaluator(console, spec) : null;
            var loop = new TrainingLoop(trainer, dataset, yaml, directory, writesFiles: rankIndex == 0, rank: rankIndex, evaluator: evaluator);
            using var meter = new TrainingMeter();
            meter.Track(loop.Monitor, spec.Name, rank: rankIndex);
            using var endpoint = request.Metrics is { } m && rankIndex == 0 ? new EndpointLease(m.Host, m.Port) : null;
            if (endpoint is not null)
                console.MarkupLineInterpolated($"metrics: {endpoint.Url}");
            var firstStep = trainer.Step;
            var (gen0, gen1, gen2, paused) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var outcome = TrainingProgress.Run(console, spec.Steps, observer => loop.Run(spec.Steps, observer, cancellation.Token));
            var seconds = clock.Elapsed.TotalSeconds;
            var collectives = sync?.CollectiveTime.TotalSeconds ?? 0;
            console.WriteLine(FormattableString.Invariant(
                $"timing: {trainer.Step - firstStep} steps in {seconds:0.000} s ({(trainer.Step - firstStep) / seconds:0.000} steps/s), collectives {collectives:0.000} s ({100 * collectives / seconds:0.0}% of the time); GC: {GC.CollectionCount(0) - gen0}/{GC.CollectionCount(1) - gen1}/{GC.CollectionCount(2) - gen2} collections (gen 0/1/2), {(GC.GetTotalPauseDuration() - paused).TotalMilliseconds:0} ms paused"));
            if (sync is not null)
                console.WriteLine("collectives per step: " + string.Join(", ", sync.CollectiveTimes.Select(c =>
                    FormattableString.Invariant($"{c.Key} {c.Value.TotalMilliseconds / Math.Max(1, trainer.Step - firstStep):0.00} ms"))));
            if (sync is not null)
                console.WriteLine($"{LocalLauncher.DigestPrefix}{RingDataParallelSync.ParameterDigest(trainer)} (rank {rankIndex}, step {trainer.Step})");
            if (outcome == LoopOutcome.Diverged)
            {
                var lastGood = directory.Checkpoints().LastOrDefault() ?? "none written yet";
                return UserErrors.Report(console, "diverged", $"training diverged at step {trainer.Step} (a loss, D output or parameter became NaN or infinite); last good checkpoint: {lastGood}", ExitCodes.Diverged);
            }
            if (outcome == LoopOutcome.Cancelled)
            {
                console.MarkupLineInterpolated($"[yellow]cancelled[/] at step {trainer.Step}; resume with --resume {directory.CheckpointFor(trainer.Step)}");
                return ExitCodes.Cancelled;
            }
            console.MarkupLineInterpolated($"[green]done[/]: {trainer.Step} steps; files in {directory.Root}");
            return ExitCodes.Success;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>The image evaluator for the periodic metrics; without one they are off, and the user is told how to get them.</summary>
    private static Evaluator? FindEvaluator(IAnsiConsole console, RunSpec spec)
    {
        if (spec.Health.EvalEvery <= 0 || spec.Dataset.Kind.IsMixture())
            return null;
        var catalog = EvaluatorCatalog.Default();
        var evaluator = catalog.FindFor(spec.Dataset);
        if (evaluator is null)
            console.MarkupLineInterpolated($"[yellow]warning[/]: image metrics are off: no evaluator in {catalog.Directory} fits {spec.Dataset.Path}; train one with `gancluster evaluator train --dataset … --path {spec.Dataset.Path}`");
        else
            console.MarkupLineInterpolated($"image metrics every {spec.Health.EvalEvery} steps on {spec.Health.EvalSamples} samples with evaluator {evaluator.Info.Name} ({evaluator.Info.Extractor}, test accuracy {evaluator.Info.TestAccuracy:P2})");
        return evaluator;
    }

    /// <summary>Holds the metrics endpoint for the length of a synchronous training run.</summary>
    private sealed class EndpointLease(string host, int port) : IDisposable
    {
        private readonly MetricsEndpoint _endpoint = MetricsEndpoint.StartAsync(host, port).GetAwaiter().GetResult();

        public string Url => _endpoint.Url;

        public void Dispose() => _endpoint.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
