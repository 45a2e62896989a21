using System.CommandLine;
using System.Globalization;
using GanCluster.Cli.Plots;
using GanCluster.Training.Runtime;
using Spectre.Console;

namespace GanCluster.Cli.Commands;

/// <summary><c>gancluster plot RUN_DIR... [--metric M]... --out FILE.png</c>: metrics from runs' metrics.jsonl against step.</summary>
internal static class PlotCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var runs = new Argument<string[]>("run") { Description = "run folders (each holds metrics.jsonl); several are drawn in one panel per metric", Arity = ArgumentArity.OneOrMore };
        var metrics = new Option<string[]>("--metric") { Description = "a metrics.jsonl name, repeatable (fd: the Fréchet distance, whatever its extractor). Default: the run's quality metric, d_loss and g_loss", AllowMultipleArgumentsPerToken = true };
        var output = new Option<string>("--out") { Description = "the .png to write", Required = true };
        var command = new Command("plot", "Plot metrics of one or more runs against step (one panel per metric).") { runs, metrics, output };
        command.SetAction(parsed => UserErrors.Run(console, () =>
        {
            var target = parsed.GetValue(output)!;
            if (!target.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
                throw new UsageException($"--out must name a .png file, found {target}");
            var plotted = new List<PlottedRun>();
            foreach (var folder in parsed.GetValue(runs)!)
            {
                if (!Directory.Exists(folder))
                    throw new UsageException($"{folder} is not a folder: give run folders (the --out of train, or a cluster store's run folder)");
                var run = new RunDirectory(folder);
                if (!File.Exists(run.MetricsFile))
                    throw new UsageException($"{folder} has no metrics.jsonl: not a run folder, or the run has not reported yet");
                plotted.Add(new PlottedRun(Path.GetFileName(run.Root), MetricsHistory.Read(run)));
            }
            var chosen = parsed.GetValue(metrics) is { Length: > 0 } given
                ? given.SelectMany(m => m.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct().ToList()
                : [.. new[] { plotted[0].History.Latest("quality_metric"), "d_loss", "g_loss" }.OfType<string>()];
            var table = new Table().AddColumns("run", "metric", "points", "first", "last", "min", "max");
            foreach (var metric in chosen)
            {
                if (plotted.All(p => p.History.Curve(metric).Count == 0))
                    throw new UsageException($"no run given reports '{metric}'; they report: {string.Join(", ", plotted.SelectMany(p => p.History.Metrics()).Distinct().Order(StringComparer.Ordinal))}");
                foreach (var run in plotted)
                {
                    var curve = run.History.Curve(metric);
                    if (curve.Count == 0)
                        table.AddRow(Markup.Escape(run.Label), Markup.Escape(metric), "0", "", "", "", "");
                    else
                        table.AddRow(Markup.Escape(run.Label), Markup.Escape(metric), $"{curve.Count}", Format(curve[0]), Format(curve[^1]), Format(curve.MinBy(p => p.Value)), Format(curve.MaxBy(p => p.Value)));
                }
            }
            MetricPlot.Write(plotted, chosen, target);
            console.Write(table);
            console.MarkupLineInterpolated($"wrote {Path.GetFullPath(target)}: {string.Join(", ", chosen)} for {plotted.Count} run(s)");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static string Format(MetricPoint p) => string.Create(CultureInfo.InvariantCulture, $"{p.Value:G5} @ {p.Step}");
}
