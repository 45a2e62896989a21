using System.CommandLine;
using System.Text.Json;
using GanCluster.Cli.Cluster;
using GanCluster.Contracts.Control;
using Spectre.Console;

namespace GanCluster.Cli.Commands;

/// <summary><c>gancluster run submit|list|show|watch|cancel</c> and <c>gancluster workers list</c>, through the cluster's API.</summary>
internal static class RunCommands
{
    public static Option<string?> ClusterOption() => ClusterTarget.LocalOption();

    public static Command Create(IAnsiConsole console)
    {
        var target = new ClusterTarget();
        var cluster = target.Cluster;
        var command = new Command("run", "Submit, list, show, watch and cancel runs on a cluster.");

        var spec = new Argument<string>("spec") { Description = "YAML run spec" };
        var worldSize = new Option<int>("--world-size") { Description = "ranks (workers) the run needs together", DefaultValueFactory = _ => 1 };
        var priority = new Option<int>("--priority") { Description = "higher runs first", DefaultValueFactory = _ => 0 };
        var set = new Option<string[]>("--set") { Description = "override a spec field", AllowMultipleArgumentsPerToken = false };
        var watch = new Option<bool>("--watch") { Description = "follow the run until it ends" };
        var output = OutputFormat.Create();
        var submit = new Command("submit", "Queue a run.") { spec, worldSize, priority, set, watch, target.Cluster, target.Api, target.TokenFile, output };
        submit.SetAction(parsed => UserErrors.Run(console, () =>
        {
            var path = parsed.GetValue(spec)!;
            if (!File.Exists(path))
                throw new UsageException($"no such spec file: {path}");
            if (parsed.GetValue(worldSize) < 1)
                throw new UsageException($"--world-size must be at least 1, found {parsed.GetValue(worldSize)}");
            using var api = target.Open(parsed);
            var request = new SubmitRunRequest { SpecYaml = File.ReadAllText(path), WorldSize = parsed.GetValue(worldSize), Priority = parsed.GetValue(priority) };
            request.Overrides.AddRange(parsed.GetValue(set) ?? []);
            var run = api.Client.SubmitRun(request);
            if (parsed.GetValue(output) == "json" && !parsed.GetValue(watch))
                console.Profile.Out.Writer.WriteLine(OutputFormat.Json.Format(run));
            else
                console.MarkupLineInterpolated($"submitted [bold]{run.Id}[/] ({run.State})");
            return parsed.GetValue(watch) ? Watch(console, api, run.Id) : ExitCodes.Success;
        }));

        var listOutput = OutputFormat.Create();
        var list = new Command("list", "List runs.") { target.Cluster, target.Api, target.TokenFile, listOutput };
        list.SetAction(parsed => UserErrors.Run(console, () =>
        {
            using var api = target.Open(parsed);
            var runs = api.Client.ListRuns(new ListRunsRequest());
            if (parsed.GetValue(listOutput) == "json")
            {
                console.Profile.Out.Writer.WriteLine(OutputFormat.Json.Format(runs));
                return ExitCodes.Success;
            }
            var table = new Table().AddColumns("id", "name", "state", "step", "ranks", "workers");
            foreach (var r in runs.Runs)
                table.AddRow(Markup.Escape(r.Id), Markup.Escape(r.Name), Markup.Escape(r.Waiting.Length > 0 ? $"{r.State}: {r.Waiting}" : r.State.ToString()), $"{r.Step}/{r.TotalSteps}", $"{r.WorldSize}", Markup.Escape(string.Join(",", r.Workers)));
            console.Write(table);
            return ExitCodes.Success;
        }));

        var id = new Argument<string>("id") { Description = "run id" };
        var showOutput = OutputFormat.Create();
        var show = new Command("show", "Show a run with its history.") { id, target.Cluster, target.Api, target.TokenFile, showOutput };
        show.SetAction(parsed => UserErrors.Run(console, () =>
        {
            using var api = target.Open(parsed);
            var run = api.Client.GetRun(new RunRequest { Id = parsed.GetValue(id) });
            if (parsed.GetValue(showOutput) == "json")
            {
                console.Profile.Out.Writer.WriteLine(OutputFormat.Json.Format(run));
                return ExitCodes.Success;
            }
            console.MarkupLineInterpolated($"[bold]{run.Id}[/] {run.Name}: {run.State}, step {run.Step}/{run.TotalSteps}, {run.WorldSize} rank(s) on {string.Join(", ", run.Workers)}");
            if (run.Waiting.Length > 0)
                console.MarkupLineInterpolated($"[yellow]waiting[/]: {run.Waiting}");
            if (run.Checkpoint is { } checkpoint)
                console.MarkupLineInterpolated($"last checkpoint: {checkpoint.Path} (step {checkpoint.Step}, sha256 {checkpoint.Sha256})");
            if (run.Health is { } health)
                console.MarkupLineInterpolated($"health: [bold]{Verdict(health)}[/]{Dimensions(health)}");
            if (run.Health?.Dimensions is { BestCheckpoint.Length: > 0 } best)
                console.MarkupLineInterpolated($"best checkpoint: {best.BestCheckpoint} ({best.QualityMetric} {best.BestQuality:G6} at step {best.BestQualityStep})");
            if (run.Error.Length > 0)
                console.MarkupLineInterpolated($"[red]error[/]: {run.Error}");
            console.MarkupLineInterpolated($"[grey]held by silo {run.Silo}[/]");
            foreach (var e in run.Events)
                console.MarkupLineInterpolated($"  {DateTimeOffset.FromUnixTimeMilliseconds(e.UnixMs):u}  {e.Text}");
            return ExitCodes.Success;
        }));

        var watchId = new Argument<string>("id") { Description = "run id" };
        var watchCommand = new Command("watch", "Follow a run's progress and health until it ends.") { watchId, target.Cluster, target.Api, target.TokenFile };
        watchCommand.SetAction(parsed => UserErrors.Run(console, () =>
        {
            using var api = target.Open(parsed);
            return Watch(console, api, parsed.GetValue(watchId)!);
        }));

        var cancelId = new Argument<string>("id") { Description = "run id" };
        var cancel = new Command("cancel", "Cancel a run; its workers stop within seconds.") { cancelId, target.Cluster, target.Api, target.TokenFile };
        cancel.SetAction(parsed => UserErrors.Run(console, () =>
        {
            using var api = target.Open(parsed);
            var run = api.Client.CancelRun(new RunRequest { Id = parsed.GetValue(cancelId) });
            console.MarkupLineInterpolated($"{run.Id}: {run.State}");
            return ExitCodes.Success;
        }));

        command.Subcommands.Add(submit);
        command.Subcommands.Add(list);
        command.Subcommands.Add(show);
        command.Subcommands.Add(watchCommand);
        command.Subcommands.Add(cancel);

        var samplesId = new Argument<string>("id") { Description = "run id" };
        var samplesOut = new Option<string?>("--out") { Description = "copy the grid here (default: print its path)" };
        var samples = new Command("samples", "The newest sample grid of a run (on a local cluster's store).") { samplesId, samplesOut, cluster };
        samples.SetAction(parsed => UserErrors.Run(console, () =>
        {
            var local = ClusterDirectory.Default(parsed.GetValue(cluster));
            using var api = ControlPlaneConnection.Open(local.Root);
            var run = api.Client.GetRun(new RunRequest { Id = parsed.GetValue(samplesId) });
            var png = RunFiles.NewestSamples(run, local.Store) ?? throw new UsageException($"{run.Id} has no sample grid yet (state {run.State}, step {run.Step}; grids are written every sample_every steps)");
            if (parsed.GetValue(samplesOut) is { } target)
            {
                File.Copy(png, target, overwrite: true);
                console.MarkupLineInterpolated($"{png} → {target}");
            }
            else
                console.Profile.Out.Writer.WriteLine(png);
            return ExitCodes.Success;
        }));
        command.Subcommands.Add(samples);
        return command;
    }

    public static Command CreateWorkers(IAnsiConsole console)
    {
        var target = new ClusterTarget();
        var cluster = target.Cluster;
        var output = OutputFormat.Create();
        var list = new Command("list", "List the workers and what they run.") { target.Cluster, target.Api, target.TokenFile, output };
        list.SetAction(parsed => UserErrors.Run(console, () =>
        {
            using var api = target.Open(parsed);
            var workers = api.Client.ListWorkers(new ListWorkersRequest());
            if (parsed.GetValue(output) == "json")
            {
                console.Profile.Out.Writer.WriteLine(OutputFormat.Json.Format(workers));
                return ExitCodes.Success;
            }
            var table = new Table().AddColumns("id", "host", "device", "threads", "run", "rank", "last heartbeat");
            foreach (var w in workers.Workers)
                table.AddRow(Markup.Escape(w.Id), Markup.Escape(w.Host), w.Device, $"{w.Threads}", Markup.Escape(w.RunId), w.RunId.Length > 0 ? $"{w.Rank}" : "",
                    $"{DateTimeOffset.FromUnixTimeMilliseconds(w.LastHeartbeatUnixMs):HH:mm:ss}");
            console.Write(table);
            return ExitCodes.Success;
        }));
        return new Command("workers", "The cluster's workers.") { list };
    }

    /// <summary>Prints each change of the run until it ends; the exit code says how it ended.</summary>
    private static int Watch(IAnsiConsole console, ControlPlaneConnection api, string id)
    {
        using var call = api.Client.WatchRun(new RunRequest { Id = id });
        Run? last = null;
        var printedEvents = 0;
        while (call.ResponseStream.MoveNext(CancellationToken.None).GetAwaiter().GetResult())
        {
            last = call.ResponseStream.Current;
            foreach (var e in last.Events.Skip(printedEvents))
                console.MarkupLineInterpolated($"{last.Id}: {e.Text}");
            printedEvents = last.Events.Count;
            var health = last.Health is { } h ? HealthSummary(h) : "";
            console.MarkupLineInterpolated($"{last.Id}: {last.State} step {last.Step}/{last.TotalSteps}{health}");
        }
        return last?.State switch
        {
            RunState.Completed => ExitCodes.Success,
            RunState.Cancelled => ExitCodes.Cancelled,
            RunState.Diverged => ExitCodes.Diverged,
            _ => ExitCodes.RunFailed,
        };
    }

    private static string HealthSummary(Health h)
    {
        static string F(double v) => double.IsFinite(v) ? v.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture) : "-";
        return $"  D {F(h.DLoss)}  G {F(h.GLoss)}  diversity {F(h.DiversityRatio)}  {Verdict(h)}";
    }

    /// <summary>The verdict's one word: its summary, or the collapse axis from a worker that sends no dimensions.</summary>
    internal static string Verdict(Health h) => h.Dimensions is { } d ? d.Summary : h.Verdict.ToString().ToLowerInvariant();

    private static string Dimensions(Health h) => h.Dimensions is { } d
        ? $" (modes {d.Modes}, quality {d.Trend}, {d.Convergence}{(d.HasBestQuality ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"; best {d.QualityMetric} {d.BestQuality:G6} at step {d.BestQualityStep}") : "")})"
        : "";
}
