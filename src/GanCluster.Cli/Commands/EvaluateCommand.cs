using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using GanCluster.Training.Checkpoints;
using GanCluster.Training.Data;
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
        var path = new Argument<string>("checkpoint");
        var samples = new Option<int>("--samples") { Description = "generated samples to evaluate", DefaultValueFactory = _ => 2500 };
        var output = OutputFormat.Create();
        var command = new Command("evaluate", "Compute the quality metrics of a checkpoint.") { path, samples, output };
        command.SetAction(parsed => UserErrors.Run(console, () =>
        {
            var file = parsed.GetValue(path)!;
            var n = parsed.GetValue(samples);
            if (n < 2)
                return UserErrors.Report(console, "usage", $"--samples must be at least 2, found {n}", ExitCodes.UsageError);
            var checkpoint = CheckpointFile.Read(file);
            using var generator = new CheckpointGenerator(checkpoint, file);
            using var generated = generator.Generate(n, index: 1);
            var metrics = new Dictionary<string, object?>
            {
                ["checkpoint"] = Path.GetFullPath(file),
                ["step"] = checkpoint.Step,
                ["generator"] = generator.UsesEma ? "ema" : "g",
                ["samples"] = n,
            };
            // Only the synthetic mixtures are opened: an image dataset (CelebA, say) is not loaded for nothing.
            if (generator.Spec.Dataset.Kind is "ring8" or "grid25")
            {
                using var mixture = (GaussianMixture)DatasetFactory.Open(generator.Spec.Dataset, generator.Spec.Seed);
                var q = MixtureQuality.Evaluate(SampleWriter.ToPoints(generated), mixture.Modes, mixture.StandardDeviation);
                metrics["modes"] = q.Modes;
                metrics["modes_covered"] = q.ModesCovered;
                metrics["high_quality_fraction"] = q.HighQualityFraction;
                metrics["reverse_kl"] = q.ReverseKl;
                metrics["mode_histogram"] = q.ModeHistogram;
            }
            else
            {
                // Classifier-space metrics (coverage, score, Fréchet distance, KID, precision/recall) need the
                // per-dataset evaluator network, which is not built yet: say so rather than print guesses.
                metrics["unavailable"] = "classifier-space metrics need `gancluster evaluator train`, which is not implemented yet";
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
