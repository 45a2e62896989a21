using GanCluster.Specs;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using GanCluster.Training.Checkpoints;
using GanCluster.Training.Data;
using GanCluster.Training.Evaluation;
using GanCluster.Training.Health;
using GanCluster.Training.Samples;
using GanCluster.Training.Trainer;
using Spectre.Console;

namespace GanCluster.Cli.Commands;

/// <summary><c>gancluster evaluate CKPT [--samples N] [--output json]</c>: the quality metrics of a checkpoint's generator.</summary>
internal static class EvaluateCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var samples = new Option<int>("--samples") { Description = "generated samples to evaluate", DefaultValueFactory = _ => 2500 };
        var evaluatorFile = new Option<string?>("--evaluator") { Description = "evaluator file for image runs (default: the cached one fitted to the run's dataset)" };
        var output = OutputFormat.Create();
        var command = new Command("evaluate", "Compute the quality metrics of a checkpoint.") { samples, evaluatorFile, output };
        var checkpointChoice = new CheckpointChoice(command);
        var choice = new GeneratorChoice(command);
        command.SetAction(parsed => UserErrors.Run(console, () =>
        {
            var file = checkpointChoice.Resolve(parsed);
            var n = parsed.GetValue(samples);
            if (n < 2)
                return UserErrors.Report(console, "usage", $"--samples must be at least 2, found {n}", ExitCodes.UsageError);
            var checkpoint = CheckpointFile.Read(file);
            using var generator = choice.Open(parsed, checkpoint, file);
            using var generated = generator.Generate(n, index: 1);
            var metrics = new Dictionary<string, object?>
            {
                ["checkpoint"] = Path.GetFullPath(file),
                ["step"] = checkpoint.Step,
                ["generator"] = generator.UsesEma ? "ema" : "g",
                ["norm_statistics"] = choice.NormStatisticsName(parsed),
                ["samples"] = n,
            };
            // Only the synthetic mixtures are opened: an image dataset (CelebA, say) is not loaded for nothing.
            if (generator.Spec.Dataset.Kind.IsMixture())
            {
                using var mixture = (GaussianMixture)DatasetFactory.Open(generator.Spec.Dataset, generator.Spec.Seed);
                var q = MixtureQuality.Evaluate(SampleWriter.ToPoints(generated), mixture.Modes, mixture.StandardDeviation);
                metrics["modes"] = q.Modes;
                metrics["modes_covered"] = q.ModesCovered;
                metrics["modes_reached"] = q.ModesReached;
                metrics["high_quality_fraction"] = q.HighQualityFraction;
                metrics["reverse_kl"] = q.ReverseKl;
                metrics["mode_histogram"] = q.ModeHistogram;
            }
            else
            {
                using var evaluator = parsed.GetValue(evaluatorFile) is { } explicitFile
                    ? Evaluator.Load(explicitFile)
                    : EvaluatorCatalog.Default().RequireFor(generator.Spec.Dataset);
                using var givenLabels = generator.GivenLabels(n);
                var q = evaluator.Evaluate(generated, givenLabels);
                metrics["evaluator"] = evaluator.Info.Name;
                metrics["extractor"] = q.Extractor;
                HealthRecordJson.AddImageQuality(metrics, q);
                metrics["class_histogram"] = q.Classes.ClassHistogram;
                metrics["max_label_entropy"] = q.Classes.MaxLabelEntropy;
                metrics["kid_sd"] = q.KidStandardDeviation;
                metrics["nearest_k"] = q.Neighbourhood.NearestK;
                metrics["ceiling_classifier_score"] = evaluator.Info.Ceiling?.Classes.ClassifierScore;
                metrics["ceiling_" + q.FrechetDistanceName] = evaluator.Info.Ceiling?.FrechetDistance;
            }
            if (parsed.GetValue(output) == "json")
            {
                console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(metrics, new JsonSerializerOptions { WriteIndented = true }));
                return ExitCodes.Success;
            }
            var table = new Table().AddColumns("metric", "value");
            foreach (var (key, value) in metrics)
                table.AddRow(key, Markup.Escape(value switch
                {
                    double d => d.ToString("G6", CultureInfo.InvariantCulture),
                    IEnumerable<int> list => string.Join(" ", list),
                    null => "-",
                    _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
                }));
            console.Write(table);
            return ExitCodes.Success;
        }));
        return command;
    }
}
