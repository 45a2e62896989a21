using System.CommandLine;
using System.Runtime.InteropServices;
using GanCluster.Training.Checkpoints;
using GanCluster.Training.Data;
using GanCluster.Training.Evaluation;
using GanCluster.Training.Runtime;
using GanCluster.Training.Spec;
using GanCluster.Training.Trainer;
using GanCluster.Cli.Telemetry;
using GanCluster.Training.Telemetry;
using Spectre.Console;

namespace GanCluster.Cli.Commands;

/// <summary><c>gancluster train SPEC [--out DIR] [--steps N] [--resume CKPT] [--set PATH=VALUE]...</c></summary>
internal static class TrainCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var spec = new Argument<string>("spec") { Description = "YAML run spec (see examples/)" };
        var output = new Option<string?>("--out") { Description = "run directory (default: runs/<name>)" };
        var steps = new Option<int?>("--steps") { Description = "total steps to reach (overrides the spec)" };
        var resume = new Option<string?>("--resume") { Description = "checkpoint to continue from" };
        var device = new Option<string?>("--device") { Description = "cpu, cuda or cuda:N (overrides the spec)" };
        var threads = new Option<int?>("--threads") { Description = "torch threads (overrides the spec; 0 = all cores)" };
        var metricsPort = new Option<int?>("--metrics-port") { Description = "serve Prometheus metrics on this port (/metrics); off by default" };
        var metricsHost = new Option<string>("--metrics-host") { Description = "address for --metrics-port", DefaultValueFactory = _ => "127.0.0.1" };
        var set = new Option<string[]>("--set") { Description = "override a spec field, e.g. --set dataset.path=/data/mnist", AllowMultipleArgumentsPerToken = false };
        var command = new Command("train", "Train one run in this process.") { spec, output, steps, resume, device, threads, metricsPort, metricsHost, set };
        command.SetAction(parsed => UserErrors.Run(console, () =>
        {
            var overrides = (parsed.GetValue(set) ?? []).ToList();
            if (parsed.GetValue(steps) is { } s)
                overrides.Add($"steps={s}");
            if (parsed.GetValue(device) is { } d)
                overrides.Add($"device={d}");
            if (parsed.GetValue(threads) is { } t)
                overrides.Add($"threads={t}");
            var metrics = parsed.GetValue(metricsPort) is { } port ? (parsed.GetValue(metricsHost)!, port) : ((string, int)?)null;
            return Train(console, parsed.GetValue(spec)!, overrides, parsed.GetValue(output), parsed.GetValue(resume), metrics);
        }));
        return command;
    }

    private static int Train(IAnsiConsole console, string specPath, IReadOnlyList<string> overrides, string? outDir, string? resumePath, (string Host, int Port)? metrics)
    {
        var (spec, yaml) = RunSpecLoader.LoadFile(specPath, overrides);
        var checkpoint = resumePath is null ? null : CheckpointFile.Read(resumePath);
        var directory = new RunDirectory(outDir ?? Path.Combine("runs", spec.Name));
        using var dataset = DatasetFactory.Open(spec.Dataset, spec.Seed);
        using var trainer = new GanTrainer(spec, dataset, ShardSlice.Single(spec.BatchSize));
        if (checkpoint is not null)
        {
            TrainerState.Restore(trainer, checkpoint, resumePath!);
            if (checkpoint.Step >= spec.Steps)
                return UserErrors.Report(console, "nothing to do", $"{resumePath} is at step {checkpoint.Step}, the spec asks for {spec.Steps} steps; raise --steps", ExitCodes.UsageError);
        }

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
            console.MarkupLineInterpolated($"[bold]{spec.Name}[/]: {spec.Model.Name} on {spec.Dataset.Kind}, batch {spec.BatchSize}, {spec.Steps} steps, device {trainer.Device}, {TorchSharp.torch.get_num_threads()} thread(s) → {directory.Root}");
            using var evaluator = FindEvaluator(console, spec);
            var loop = new TrainingLoop(trainer, dataset, yaml, directory, evaluator: evaluator);
            using var meter = new TrainingMeter();
            meter.Track(loop.Monitor, spec.Name, rank: 0);
            using var endpoint = metrics is { } m ? new EndpointLease(m.Host, m.Port) : null;
            if (endpoint is not null)
                console.MarkupLineInterpolated($"metrics: {endpoint.Url}");
            var outcome = TrainingProgress.Run(console, spec.Steps, observer => loop.Run(spec.Steps, observer, cancellation.Token));
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
        if (spec.Health.EvalEvery <= 0 || spec.Dataset.Kind is "ring8" or "grid25")
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
