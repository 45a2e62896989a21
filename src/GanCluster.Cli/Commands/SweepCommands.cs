using System.CommandLine;
using System.Globalization;
using GanCluster.Cli.Cluster;
using GanCluster.Contracts.Control;
using GanCluster.Specs.Sweeps;
using GanCluster.Sweeps;
using Spectre.Console;

namespace GanCluster.Cli.Commands;

/// <summary><c>gancluster sweep validate|submit|list|show|watch|cancel|best|plot</c>: hyperparameter sweeps, through the cluster's API.</summary>
internal static class SweepCommands
{
    public static Command Create(IAnsiConsole console)
    {
        var target = new ClusterTarget();
        var cluster = target.Cluster;
        var command = new Command("sweep", "Validate, submit, list, show, watch and cancel hyperparameter sweeps.");

        var validateFile = new Argument<string>("sweep") { Description = "YAML sweep spec" };
        var validateOutput = OutputFormat.Create();
        var validate = new Command("validate", "Check a sweep spec and print the trials a grid or random sweep would create, without submitting.") { validateFile, validateOutput };
        validate.SetAction(parsed => UserErrors.Run(console, () =>
        {
            var spec = SweepSpecLoader.LoadFile(parsed.GetValue(validateFile)!);
            var trials = SweepDefinition.Preview(spec);
            if (parsed.GetValue(validateOutput) == "json")
            {
                console.Profile.Out.Writer.WriteLine(System.Text.Json.JsonSerializer.Serialize(new
                {
                    spec.Name, Algorithm = SweepDefinition.AlgorithmName(spec.Algorithm), Metric = spec.Metric.Name, Goal = spec.Metric.Goal.ToString().ToLowerInvariant(),
                    spec.MaxTrials, spec.MaxConcurrentTrials, spec.StepsPerTrial,
                    Trials = trials?.Select(t => new { t.Trial, Configuration = t.Configuration.Index, t.Configuration.Values, t.Seed }),
                }));
                return ExitCodes.Success;
            }
            console.MarkupLineInterpolated($"[bold]{spec.Name}[/]: {SweepDefinition.AlgorithmName(spec.Algorithm)}, {spec.Metric.Goal.ToString().ToLowerInvariant()} {spec.Metric.Name}, at most {spec.MaxTrials} trial(s) of {spec.StepsPerTrial} steps, {spec.MaxConcurrentTrials} at once");
            if (trials is null)
            {
                console.MarkupLine("its trials depend on the results of earlier ones (ASHA, TPE, PBT): none are listed");
                return ExitCodes.Success;
            }
            var table = new Table().AddColumns("trial", "config", "seed").AddColumns(spec.Parameters.Select(p => new TableColumn(Markup.Escape(p.Path))).ToArray());
            foreach (var t in trials)
                table.AddRow([$"{t.Trial}", $"{t.Configuration.Index}", $"{t.Seed}", .. spec.Parameters.Select(p => Markup.Escape(Short(t.Configuration.Values.GetValueOrDefault(p.Path, ""))))]);
            console.Write(table);
            console.MarkupLineInterpolated($"{trials.Count} trial(s)");
            return ExitCodes.Success;
        }));

        var file = new Argument<string>("sweep") { Description = "YAML sweep spec" };
        var watch = new Option<bool>("--watch") { Description = "follow the sweep until it ends" };
        var submitOutput = OutputFormat.Create();
        var submit = new Command("submit", "Submit a sweep; its trials are queued as runs.") { file, watch, target.Cluster, target.Api, target.TokenFile, submitOutput };
        submit.SetAction(parsed => UserErrors.Run(console, () =>
        {
            var path = parsed.GetValue(file)!;
            // Validated here first, so that errors name the file and line; the API checks again.
            SweepSpecLoader.LoadFile(path);
            using var api = target.Open(parsed);
            var sweep = api.Client.SubmitSweep(new SubmitSweepRequest { SweepYaml = File.ReadAllText(path), BaseYaml = SweepDefinition.ReadBaseFile(path) ?? "" });
            if (parsed.GetValue(submitOutput) == "json" && !parsed.GetValue(watch))
                console.Profile.Out.Writer.WriteLine(OutputFormat.Json.Format(sweep));
            else
                console.MarkupLineInterpolated($"submitted sweep [bold]{sweep.Id}[/] ({sweep.Algorithm}, {sweep.Trials.Count} trial(s) started)");
            return parsed.GetValue(watch) ? Watch(console, api, sweep.Id) : ExitCodes.Success;
        }));

        var listOutput = OutputFormat.Create();
        var list = new Command("list", "List sweeps.") { target.Cluster, target.Api, target.TokenFile, listOutput };
        list.SetAction(parsed => UserErrors.Run(console, () =>
        {
            using var api = target.Open(parsed);
            var sweeps = api.Client.ListSweeps(new ListSweepsRequest());
            if (parsed.GetValue(listOutput) == "json")
            {
                console.Profile.Out.Writer.WriteLine(OutputFormat.Json.Format(sweeps));
                return ExitCodes.Success;
            }
            var table = new Table().AddColumns("id", "name", "state", "algorithm", "trials", "ended", "best");
            foreach (var s in sweeps.Sweeps)
                table.AddRow(Markup.Escape(s.Id), Markup.Escape(s.Name), s.State.ToString(), s.Algorithm, $"{s.Trials.Count}/{s.MaxTrials}",
                    $"{s.Trials.Count(Ended)}", Best(s) is { } b ? $"{s.Metric} {Number(b.Best)} (trial {b.Number})" : "");
            console.Write(table);
            return ExitCodes.Success;
        }));

        var showId = new Argument<string>("id") { Description = "sweep id" };
        var showOutput = OutputFormat.Create();
        var show = new Command("show", "Show a sweep: its trials, each configuration across its seeds, and the best trial.") { showId, target.Cluster, target.Api, target.TokenFile, showOutput };
        show.SetAction(parsed => UserErrors.Run(console, () =>
        {
            using var api = target.Open(parsed);
            var sweep = api.Client.GetSweep(new SweepRequest { Id = parsed.GetValue(showId) });
            if (parsed.GetValue(showOutput) == "json")
            {
                console.Profile.Out.Writer.WriteLine(OutputFormat.Json.Format(sweep));
                return ExitCodes.Success;
            }
            Print(console, sweep, withHistory: true);
            return ExitCodes.Success;
        }));

        var watchId = new Argument<string>("id") { Description = "sweep id" };
        var watchCommand = new Command("watch", "Follow a sweep's trials until it ends.") { watchId, target.Cluster, target.Api, target.TokenFile };
        watchCommand.SetAction(parsed => UserErrors.Run(console, () =>
        {
            using var api = target.Open(parsed);
            return Watch(console, api, parsed.GetValue(watchId)!);
        }));

        var cancelId = new Argument<string>("id") { Description = "sweep id" };
        var cancel = new Command("cancel", "Cancel a sweep: its trials stop within seconds and no more start.") { cancelId, target.Cluster, target.Api, target.TokenFile };
        cancel.SetAction(parsed => UserErrors.Run(console, () =>
        {
            using var api = target.Open(parsed);
            var sweep = api.Client.CancelSweep(new SweepRequest { Id = parsed.GetValue(cancelId) });
            console.MarkupLineInterpolated($"{sweep.Id}: {sweep.State}");
            return ExitCodes.Success;
        }));

        var plotId = new Argument<string>("id") { Description = "sweep id" };
        var plotOut = new Option<string>("--out") { Description = "the PNG to write", Required = true };
        var plot = new Command("plot", "Plot the metric against steps for every trial (stops and bests marked) and the score against each parameter.") { plotId, plotOut, target.Cluster, target.Api, target.TokenFile };
        plot.SetAction(parsed => UserErrors.Run(console, () =>
        {
            using var api = target.Open(parsed);
            var sweep = api.Client.GetSweep(new SweepRequest { Id = parsed.GetValue(plotId) });
            var png = Path.GetFullPath(parsed.GetValue(plotOut)!);
            Plots.SweepPlot.Write(sweep, png);
            console.MarkupLineInterpolated($"{sweep.Id}: {sweep.Trials.Count} trial(s) plotted to {png}");
            return ExitCodes.Success;
        }));

        var bestId = new Argument<string>("id") { Description = "sweep id" };
        var bestOut = new Option<string>("--out") { Description = "folder for the best checkpoint, its spec, a sample grid and summary.json", Required = true };
        var bestCommand = new Command("best", "Export the best trial's best checkpoint (by the sweep's metric), its spec and a sample grid.") { bestId, bestOut, cluster };
        bestCommand.SetAction(parsed => UserErrors.Run(console, () =>
        {
            var directory = ClusterDirectory.Default(parsed.GetValue(cluster));
            using var api = ControlPlaneConnection.Open(parsed.GetValue(cluster));
            var sweep = api.Client.GetSweep(new SweepRequest { Id = parsed.GetValue(bestId) });
            var exported = SweepBest.Export(sweep, directory.Store, Path.GetFullPath(parsed.GetValue(bestOut)!));
            console.MarkupLineInterpolated($"best trial {exported.Trial.Number} ({exported.Trial.RunId}): {sweep.Metric} {Number(exported.Trial.Best)} at step {exported.Trial.BestStep}");
            console.MarkupLineInterpolated($"  {exported.Checkpoint}\n  {exported.Spec}\n  {exported.Samples}\n  {exported.Summary}");
            return ExitCodes.Success;
        }));

        command.Subcommands.Add(validate);
        command.Subcommands.Add(plot);
        command.Subcommands.Add(bestCommand);
        command.Subcommands.Add(submit);
        command.Subcommands.Add(list);
        command.Subcommands.Add(show);
        command.Subcommands.Add(watchCommand);
        command.Subcommands.Add(cancel);
        return command;
    }

    /// <summary>Prints the sweep on every change until it ends; the exit code says how it ended.</summary>
    private static int Watch(IAnsiConsole console, ControlPlaneConnection api, string id)
    {
        using var call = api.Client.WatchSweep(new SweepRequest { Id = id });
        Sweep? last = null;
        var printedEvents = 0;
        while (call.ResponseStream.MoveNext(CancellationToken.None).GetAwaiter().GetResult())
        {
            last = call.ResponseStream.Current;
            foreach (var e in last.Events.Skip(printedEvents))
                console.MarkupLineInterpolated($"{last.Id}: {e.Text}");
            printedEvents = last.Events.Count;
            var running = last.Trials.Where(t => !Ended(t)).Select(t => $"t{t.Number} {t.Step}");
            console.MarkupLineInterpolated($"{last.Id}: {last.State}, {last.Trials.Count(Ended)}/{last.Trials.Count} trial(s) ended{(running.Any() ? "; running " + string.Join(", ", running) : "")}{(Best(last) is { } b ? $"; best {last.Metric} {Number(b.Best)} (trial {b.Number})" : "")}");
        }
        if (last is not null)
            Print(console, last, withHistory: false);
        return last?.State switch
        {
            SweepState.Completed => ExitCodes.Success,
            SweepState.Cancelled => ExitCodes.Cancelled,
            _ => ExitCodes.RunFailed,
        };
    }

    private static void Print(IAnsiConsole console, Sweep sweep, bool withHistory)
    {
        var goal = sweep.Maximise ? "max" : "min";
        console.MarkupLineInterpolated($"[bold]{sweep.Id}[/] {sweep.Name}: {sweep.State}, {sweep.Algorithm}, {goal} {sweep.Metric}, {sweep.Trials.Count}/{sweep.MaxTrials} trial(s), {sweep.MaxConcurrentTrials} at once");
        var paths = sweep.Trials.SelectMany(t => t.Values.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        var trials = new Table().Title("trials").AddColumns("trial", "run", "seed").AddColumns(paths.Select(p => new TableColumn(Markup.Escape(p))).ToArray())
            .AddColumns("state", "step", sweep.Metric, "at step", "stopped");
        foreach (var t in sweep.Trials)
            trials.AddRow([$"{t.Number}", Markup.Escape(t.RunId), $"{t.Seed}", .. paths.Select(p => Markup.Escape(Short(t.Values.GetValueOrDefault(p, "")))),
                t.State.ToString(), $"{t.Step}", t.HasBest ? Number(t.Best) : "", t.HasBestStep ? $"{t.BestStep}" : "", Markup.Escape(t.Stopped)]);
        console.Write(trials);
        var configurations = new Table().Title("configurations, best first (score = best value per seed)")
            .AddColumns("config").AddColumns(paths.Select(p => new TableColumn(Markup.Escape(p))).ToArray())
            .AddColumns("seeds", "mean", "95% CI", "sd", "median", "worst", "collapsed");
        foreach (var c in sweep.Configurations)
            configurations.AddRow([$"{c.Configuration}", .. paths.Select(p => Markup.Escape(Short(c.Values.GetValueOrDefault(p, "")))), $"{c.Scored}/{c.Seeds}",
                c.Scored > 0 ? Number(c.Mean) : "", c.Scored > 1 ? Markup.Escape($"[{Number(c.CiLow)}, {Number(c.CiHigh)}]") : "", c.Scored > 1 ? Number(c.StandardDeviation) : "",
                c.Scored > 0 ? Number(c.Median) : "", c.Scored > 0 ? Number(c.Worst) : "", $"{c.Collapsed}"]);
        console.Write(configurations);
        if (sweep.Trials.Any(t => t.Lineage.Count > 1))
        {
            // PBT: each trial's segments, and where each exploit copied its state from.
            var lineage = new Table().Title("lineage (one run per interval; exploit = copied that trial's full GAN state)")
                .AddColumns("trial", "steps", "run", "from").AddColumns(paths.Select(p => new TableColumn(Markup.Escape(p))).ToArray());
            foreach (var t in sweep.Trials)
                foreach (var g in t.Lineage)
                    lineage.AddRow([$"{t.Number}", $"{g.FromStep}–{g.ToStep}", Markup.Escape(g.RunId), g.HasSourceTrial ? $"exploit trial {g.SourceTrial}" : g.FromStep == 0 ? "start" : "own state",
                        .. paths.Select(p => Markup.Escape(Short(g.Values.GetValueOrDefault(p, ""))))]);
            console.Write(lineage);
        }
        if (Best(sweep) is { } best)
            console.MarkupLineInterpolated($"best trial: {best.Number} ({(best.BestRunId.Length > 0 ? best.BestRunId : best.RunId)}), {sweep.Metric} {Number(best.Best)} at step {best.BestStep}, {string.Join(", ", best.Values.Select(v => $"{v.Key}={v.Value}"))}, seed {best.Seed}");
        if (withHistory)
            foreach (var e in sweep.Events)
                console.MarkupLineInterpolated($"  {DateTimeOffset.FromUnixTimeMilliseconds(e.UnixMs):u}  {e.Text}");
    }

    /// <summary>A searched value for a table: numbers to 4 significant digits (the exact text stays in the JSON and the runs' specs).</summary>
    private static string Short(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && value.Length > 8 ? number.ToString("G4", CultureInfo.InvariantCulture) : value;

    private static bool Ended(Trial t) => t.State is RunState.Completed or RunState.Failed or RunState.Cancelled or RunState.Collapsed or RunState.Diverged;

    private static Trial? Best(Sweep s)
    {
        var scored = s.Trials.Where(t => t.HasBest);
        return s.Maximise ? scored.MaxBy(t => t.Best) : scored.MinBy(t => t.Best);
    }

    private static string Number(double v) => double.IsFinite(v) ? v.ToString("G5", CultureInfo.InvariantCulture) : v.ToString(CultureInfo.InvariantCulture);
}
