using GanCluster.Specs;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using GanCluster.Training.Evaluation;
using Spectre.Console;

namespace GanCluster.Cli.Commands;

/// <summary><c>gancluster evaluator train|list</c>: the per-dataset classifiers whose feature space the image metrics use.</summary>
internal static class EvaluatorCommands
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static Command Create(IAnsiConsole console)
    {
        var command = new Command("evaluator", "Train and list the per-dataset evaluator networks used by the image metrics.");
        command.Add(Train(console));
        command.Add(List(console));
        return command;
    }

    private static Option<string?> CacheOption() => new("--cache") { Description = "evaluator cache folder (default: $GANCLUSTER_CACHE/evaluators or ~/.cache/gancluster/evaluators)" };

    private static EvaluatorCatalog Catalog(string? cache) => cache is null ? EvaluatorCatalog.Default() : new EvaluatorCatalog(cache);

    private static Command Train(IAnsiConsole console)
    {
        var dataset = new Option<string>("--dataset") { Description = $"which evaluator: {string.Join(", ", EvaluatorRecipe.All.Select(r => r.Name))}", Required = true };
        var path = new Option<string>("--path") { Description = "the dataset folder (IDX files, or one sub-folder per class for faces)", Required = true };
        var epochs = new Option<int?>("--epochs") { Description = "training epochs (default: the recipe's)" };
        var seed = new Option<long>("--seed") { DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "torch threads; the same count reproduces the same weights", DefaultValueFactory = _ => 2 };
        var imageSize = new Option<int?>("--image-size") { Description = "image side for folder datasets (default 64)" };
        var channels = new Option<int?>("--channels") { Description = "1 (grey) or 3 (RGB) for folder datasets (default 1)" };
        var limit = new Option<int?>("--limit") { Description = "train on only the first N training images (quick checks)" };
        var cache = CacheOption();
        var output = OutputFormat.Create();
        var command = new Command("train", "Fit the evaluator of a dataset, report its test accuracy and cache it with a checksum.")
            { dataset, path, epochs, seed, threads, imageSize, channels, limit, cache, output };
        command.SetAction(parsed => UserErrors.Run(console, () =>
        {
            var recipe = EvaluatorRecipe.Find(parsed.GetValue(dataset)!);
            var folder = Path.GetFullPath(parsed.GetValue(path)!);
            var options = new EvaluatorTrainingOptions(parsed.GetValue(epochs) ?? recipe.Epochs, parsed.GetValue(seed), parsed.GetValue(threads), TrainLimit: parsed.GetValue(limit));
            var catalog = Catalog(parsed.GetValue(cache));
            var json = parsed.GetValue(output) == "json";
            using var data = recipe.Load(folder, parsed.GetValue(imageSize), parsed.GetValue(channels));
            if (!json)
                console.MarkupLineInterpolated($"[bold]evaluator {recipe.Name}[/]: {data.TrainImages.shape[0]} training and {data.TestImages.shape[0]} test images, {data.ClassNames.Count} classes, {options.Epochs} epochs, {options.Threads} thread(s)");
            var progress = new EpochLines(p =>
            {
                if (!json && p.Batch == p.Batches)
                    console.WriteLine($"epoch {p.Epoch}/{p.Epochs}  loss {p.Loss:F4}");
            });
            using var evaluator = EvaluatorTraining.Train(recipe.Name, recipe.Extractor, SpecName.Of(recipe.DatasetKind), folder, data, options, progress);
            var file = catalog.PathFor(recipe.Name);
            evaluator.Save(file);
            var info = evaluator.Info;
            if (json)
            {
                console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(new { file, info }, Json));
                return ExitCodes.Success;
            }
            console.MarkupLineInterpolated($"test accuracy [bold]{info.TestAccuracy:P2}[/] on {info.TestSamples} images; weights sha256 {info.WeightsSha256[..16]}…; {info.TrainSeconds:F0} s");
            WriteCeiling(console, info);
            console.MarkupLineInterpolated($"saved {file}");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command List(IAnsiConsole console)
    {
        var cache = CacheOption();
        var output = OutputFormat.Create();
        var command = new Command("list", "List the cached evaluators, verifying each file's checksum.") { cache, output };
        command.SetAction(parsed => UserErrors.Run(console, () =>
        {
            var catalog = Catalog(parsed.GetValue(cache));
            var rows = new List<ListedEvaluator>();
            foreach (var file in catalog.Files())
            {
                try
                {
                    using var evaluator = Evaluator.Load(file);
                    rows.Add(new ListedEvaluator(file, evaluator.Info, null));
                }
                catch (Training.Checkpoints.CheckpointException e)
                {
                    rows.Add(new ListedEvaluator(file, null, e.Message));
                }
            }
            if (parsed.GetValue(output) == "json")
            {
                console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(rows, Json));
                return ExitCodes.Success;
            }
            if (rows.Count == 0)
            {
                console.MarkupLineInterpolated($"no evaluators in {catalog.Directory}; train one with [bold]gancluster evaluator train --dataset mnist --path DIR[/]");
                return ExitCodes.Success;
            }
            var table = new Table().AddColumns("name", "extractor", "dataset", "test accuracy", "ceiling score", "weights sha256");
            foreach (var row in rows)
            {
                if (row.Info is not { } info)
                {
                    table.AddRow(Markup.Escape(Path.GetFileName(row.File)), "[red]damaged[/]", Markup.Escape(row.Error ?? ""), "", "", "");
                    continue;
                }
                table.AddRow(info.Name, info.Extractor, Markup.Escape(info.DatasetPath), info.TestAccuracy.ToString("P2", CultureInfo.InvariantCulture),
                    info.Ceiling?.Classes.ClassifierScore.ToString("F3", CultureInfo.InvariantCulture) ?? "-", info.WeightsSha256[..16] + "…");
            }
            console.Write(table);
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>Real held-out images scored against the training reference: the best a generator can hope for.</summary>
    private static void WriteCeiling(IAnsiConsole console, EvaluatorInfo info)
    {
        if (info.Ceiling is not { } c)
            return;
        var table = new Table().AddColumns("real test images vs training set", "value");
        table.AddRow("classes covered", $"{c.Classes.ClassesCovered}/{c.Classes.Classes}");
        table.AddRow("label entropy", $"{c.Classes.LabelEntropy:F4} (max {c.Classes.MaxLabelEntropy:F4})");
        table.AddRow("classifier score", $"{c.Classes.ClassifierScore:F3}");
        table.AddRow(c.FrechetDistanceName, $"{c.FrechetDistance:F4}");
        table.AddRow("kid", $"{c.Kid:F5} ± {c.KidStandardDeviation:F5}");
        table.AddRow("precision / recall", $"{c.Neighbourhood.Precision:F4} / {c.Neighbourhood.Recall:F4}");
        table.AddRow("density / coverage", $"{c.Neighbourhood.Density:F4} / {c.Neighbourhood.Coverage:F4}");
        console.Write(table);
    }

    /// <summary>Reports on the training thread, in order (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class EpochLines(Action<EvaluatorProgress> report) : IProgress<EvaluatorProgress>
    {
        public void Report(EvaluatorProgress value) => report(value);
    }

    private sealed record ListedEvaluator(string File, EvaluatorInfo? Info, string? Error);
}
