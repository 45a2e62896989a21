using System.CommandLine;
using GanCluster.Training.Runtime;
using GanCluster.Specs;
using GanCluster.Training.Trainer;
using GanCluster.Cli.Telemetry;
using GanCluster.Training.Telemetry;
using Spectre.Console;

namespace GanCluster.Cli.Commands;

/// <summary><c>gancluster train SPEC [--out DIR] [--steps N] [--resume CKPT | --force] [--set PATH=VALUE]... [--world-size N]</c></summary>
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
                return Train(console, o.Read(parsed));
            return DataParallelLauncher.Launch(console, o.Read(parsed), n, parsed.GetValue(ringHost)!, parsed.GetValue(ringPort));
        }));
        return command;
    }

    private static int Train(IAnsiConsole console, TrainRequest request)
    {
        var (spec, yaml) = RunSpecLoader.LoadFile(request.SpecPath, request.Overrides);
        var directory = request.PrepareRunDirectory(spec);
        using var signals = new RankSignals();
        using var meter = new RankMeter();
        var rank = new RankRequest
        {
            Spec = spec, SpecYaml = yaml, RunDirectory = directory, RunLabel = spec.Name,
            Resume = request.ResumePath is { } resume ? new ResumePoint(resume) : null,
        };
        using var host = RankHost.Open(rank, line => console.MarkupLineInterpolated($"{line}"), meter);
        console.MarkupLineInterpolated($"[bold]{spec.Name}[/]: {SpecName.Of(spec.Model.Name)} on {SpecName.Of(spec.Dataset.Kind)}, batch {spec.BatchSize}, {spec.Steps} steps, device {host.Device}, {TorchSharp.torch.get_num_threads()} thread(s) → {directory}");
        using var endpoint = request.Metrics is { } m ? new EndpointLease(m.Host, m.Port) : null;
        if (endpoint is not null)
            console.MarkupLineInterpolated($"metrics: {endpoint.Url}");
        var result = TrainingProgress.Run(console, spec.Steps, observer => host.Train(observer, signals.Token));
        foreach (var line in result.SummaryLines())
            console.WriteLine(line);
        switch (result.Outcome)
        {
            case LoopOutcome.Diverged:
                var lastGood = new RunDirectory(directory).Checkpoints().LastOrDefault() ?? "none written yet";
                return UserErrors.Report(console, "diverged", $"training diverged at step {result.Step} (a loss, D output or parameter became NaN or infinite); last good checkpoint: {lastGood}", ExitCodes.Diverged);
            case LoopOutcome.Cancelled:
                console.MarkupLineInterpolated($"[yellow]cancelled[/] at step {result.Step}; resume with --resume {new RunDirectory(directory).CheckpointFor(result.Step)}");
                return ExitCodes.Cancelled;
            default:
                console.MarkupLineInterpolated($"[green]done[/]: {result.Step} steps; files in {directory}");
                return ExitCodes.Success;
        }
    }

    /// <summary>Holds the metrics endpoint for the length of a synchronous training run.</summary>
    private sealed class EndpointLease(string host, int port) : IDisposable
    {
        private readonly MetricsEndpoint _endpoint = MetricsEndpoint.StartAsync(host, port).GetAwaiter().GetResult();

        public string Url => _endpoint.Url;

        public void Dispose() => _endpoint.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
