using GanCluster.Specs;
using GanCluster.Training.Runtime;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using GanCluster.Training.Checkpoints;
using Spectre.Console;

namespace GanCluster.Cli.Commands;

/// <summary><c>gancluster checkpoint inspect|diff</c>: read checkpoints without loading a model.</summary>
internal static class CheckpointCommands
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static Command Create(IAnsiConsole console)
    {
        var command = new Command("checkpoint", "Inspect and compare checkpoints.");
        command.Add(Inspect(console));
        command.Add(Diff(console));
        return command;
    }

    private static Command Inspect(IAnsiConsole console)
    {
        var path = new Argument<string>("checkpoint");
        var output = OutputFormat.Create();
        var command = new Command("inspect", "Print step, spec, checksum and tensor sizes.") { path, output };
        command.SetAction(parsed => UserErrors.Run(console, () =>
        {
            var file = parsed.GetValue(path)!;
            var c = CheckpointFile.Read(file);
            var run = BestCheckpoints.RunHolding(file);
            var best = run is null ? null : BestCheckpoints.Read(run).FirstOrDefault();
            var isBest = best is not null && Path.GetFullPath(best.Path) == Path.GetFullPath(file);
            var networks = c.Entries.Where(e => e.IsTensor).GroupBy(e => e.Network)
                .Select(g => new { network = g.Key, tensors = g.Count(), elements = g.Sum(e => e.ElementCount), bytes = g.Sum(e => e.Data.LongLength) }).ToList();
            if (parsed.GetValue(output) == "json")
            {
                console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(new
                {
                    path = Path.GetFullPath(file),
                    sha256 = c.Sha256,
                    formatVersion = c.FormatVersion,
                    step = c.Step,
                    dataCursor = c.DataCursor,
                    createdUtc = c.CreatedUtc,
                    producer = c.Producer,
                    networks,
                    runBest = best is null ? null : new { path = best.Path, step = best.Step, value = best.Value, sha256 = best.Sha256, metric = BestMetric(run!), isThis = isBest },
                    entries = c.Entries.Select(e => new { name = e.Name, dtype = e.DType, shape = e.Shape, bytes = e.Data.LongLength }),
                    spec = c.SpecYaml,
                }, Json));
                return ExitCodes.Success;
            }
            var summary = new Grid().AddColumn().AddColumn();
            summary.AddRow("file", Markup.Escape(Path.GetFullPath(file)));
            summary.AddRow("sha256", c.Sha256!);
            summary.AddRow("step", c.Step.ToString(CultureInfo.InvariantCulture));
            summary.AddRow("data cursor", c.DataCursor.ToString(CultureInfo.InvariantCulture));
            summary.AddRow("created", c.CreatedUtc.ToString("u", CultureInfo.InvariantCulture));
            summary.AddRow("producer", Markup.Escape(c.Producer));
            if (best is not null)
                summary.AddRow("run's best", Markup.Escape(isBest
                    ? $"this checkpoint ({BestMetric(run!)} {best.Value:G6})"
                    : $"{best.Path} ({BestMetric(run!)} {best.Value:G6} at step {best.Step})"));
            console.Write(summary);
            var table = new Table().AddColumns("network", "tensors", "elements", "bytes");
            foreach (var n in networks)
                table.AddRow(n.network, n.tensors.ToString(CultureInfo.InvariantCulture), n.elements.ToString("N0", CultureInfo.InvariantCulture), n.bytes.ToString("N0", CultureInfo.InvariantCulture));
            foreach (var blob in c.Entries.Where(e => !e.IsTensor))
                table.AddRow(blob.Name, "-", "-", blob.Data.LongLength.ToString("N0", CultureInfo.InvariantCulture));
            console.Write(table);
            var tensors = new Table().AddColumns("tensor", "dtype", "shape");
            foreach (var e in c.Entries.Where(e => e.IsTensor))
                tensors.AddRow(Markup.Escape(e.Name), e.DType!, Markup.Escape("[" + string.Join(", ", e.Shape!) + "]"));
            console.Write(tensors);
            console.Write(new Panel(Markup.Escape(c.SpecYaml.TrimEnd())).Header("spec"));
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>The metric a run keeps its best checkpoints by, from its spec.</summary>
    private static string BestMetric(RunDirectory run)
    {
        try
        {
            return RunSpecLoader.LoadFile(run.SpecFile).Spec.KeepBest?.Metric ?? "keep_best";
        }
        catch (SpecException)
        {
            return "keep_best";
        }
    }

    private static Command Diff(IAnsiConsole console)
    {
        var first = new Argument<string>("a");
        var second = new Argument<string>("b");
        var output = OutputFormat.Create();
        var command = new Command("diff", "Largest absolute and relative parameter difference per network; exit 0 only when bitwise identical.") { first, second, output };
        command.SetAction(parsed => UserErrors.Run(console, () =>
        {
            var a = CheckpointFile.Read(parsed.GetValue(first)!);
            var b = CheckpointFile.Read(parsed.GetValue(second)!);
            var differences = CheckpointComparison.Compare(a, b);
            var identical = differences.All(d => d.BitwiseIdentical);
            if (parsed.GetValue(output) == "json")
            {
                console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(new
                {
                    identical,
                    steps = new[] { a.Step, b.Step },
                    networks = differences.Select(d => new
                    {
                        network = d.Network,
                        elements = d.Elements,
                        maxAbsolute = d.MaxAbsolute,
                        maxRelative = d.MaxRelative,
                        bitwiseIdentical = d.BitwiseIdentical,
                        mismatches = d.Mismatches,
                    }),
                }, Json));
            }
            else
            {
                var table = new Table().AddColumns("network", "elements", "max |a-b|", "max relative", "bitwise identical");
                foreach (var d in differences)
                    table.AddRow(d.Network, d.Elements.ToString("N0", CultureInfo.InvariantCulture), d.MaxAbsolute.ToString("G6", CultureInfo.InvariantCulture),
                        d.MaxRelative.ToString("G6", CultureInfo.InvariantCulture), d.BitwiseIdentical ? "[green]yes[/]" : "[red]no[/]");
                console.Write(table);
                foreach (var m in differences.SelectMany(d => d.Mismatches))
                    console.MarkupLineInterpolated($"[yellow]mismatch[/]: {m}");
                console.MarkupLine(identical ? "[green]identical[/]" : "[red]different[/]");
            }
            return identical ? ExitCodes.Success : ExitCodes.Different;
        }));
        return command;
    }
}
