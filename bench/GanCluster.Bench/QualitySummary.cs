using System.Globalization;
using System.Text.Json;
using GanCluster.Training.Data;
using GanCluster.Training.Evaluation;
using static TorchSharp.torch;

namespace GanCluster.Bench;

/// <summary>
/// Summarises bench/quality/run-quality.sh output into the RESULTS.md tables: means over seeds for the
/// mixtures; the evaluator's metrics for the image rows, next to the real-data ceiling and trivial
/// baselines (uniform noise, and the mean training image repeated) scored by the same evaluator.
/// </summary>
internal static class QualitySummary
{
    public static int Run(string directory)
    {
        var results = Directory.EnumerateDirectories(directory)
            .Where(d => File.Exists(Path.Combine(d, "evaluate.json")))
            .Select(d => (Job: Path.GetFileName(d), Json: JsonDocument.Parse(File.ReadAllText(Path.Combine(d, "evaluate.json"))).RootElement))
            .GroupBy(r => r.Job[..r.Job.LastIndexOf("-s", StringComparison.Ordinal)])
            .ToDictionary(g => g.Key, g => g.OrderBy(r => r.Job, StringComparer.Ordinal).ToList());
        if (results.Count == 0)
        {
            Console.Error.WriteLine($"no evaluate.json under {directory}; run bench/quality/run-quality.sh first");
            return 2;
        }
        Console.WriteLine("| mixture | seeds | modes covered (mean) | per seed | high quality (mean) | per seed | reverse KL (mean) |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var kind in new[] { "ring8", "grid25", "grid25-20k" }.Where(results.ContainsKey))
        {
            var rows = results[kind];
            double Mean(string key) => rows.Average(r => r.Json.GetProperty(key).GetDouble());
            string Each(string key, string format) => string.Join(", ", rows.Select(r => r.Json.GetProperty(key).GetDouble().ToString(format, CultureInfo.InvariantCulture)));
            Console.WriteLine($"| {kind} | {rows.Count} | {Mean("modes_covered"):F2} / {rows[0].Json.GetProperty("modes").GetInt32()} | {Each("modes_covered", "F0")} | {Mean("high_quality_fraction"):P2} | {Each("high_quality_fraction", "P1")} | {Mean("reverse_kl"):F4} |");
        }
        Console.WriteLine();
        Console.WriteLine("| dataset | images | classes covered | label entropy | classifier score | Fréchet distance | KID | precision | recall | density | coverage |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        // The *-conditional rows, and the *-dcgan28 and mnist-mlp jobs (earlier recipes kept for comparison, renamed jobs), share their dataset's evaluator and baselines.
        string[] comparisons = ["mnist-conditional", "mnist-dcgan28", "mnist-mlp", "fashion-conditional", "fashion-dcgan28"];
        foreach (var kind in new[] { "mnist", "mnist-conditional", "mnist-dcgan28", "mnist-mlp", "fashion", "fashion-conditional", "fashion-dcgan28", "faces" }.Where(results.ContainsKey))
        {
            var j = results[kind][0].Json;
            var fdKey = j.EnumerateObject().First(p => p.Name.StartsWith("fd_", StringComparison.Ordinal)).Name;
            Console.WriteLine($"| {kind}: GAN (EMA G), {fdKey} | {j.GetProperty("samples").GetInt32()} | {j.GetProperty("classes_covered").GetInt32()}/{j.GetProperty("classes").GetInt32()} | {j.GetProperty("label_entropy").GetDouble():F3} | {j.GetProperty("classifier_score").GetDouble():F3} | {j.GetProperty(fdKey).GetDouble():F3} | {j.GetProperty("kid").GetDouble():F4} | {j.GetProperty("precision").GetDouble():F3} | {j.GetProperty("recall").GetDouble():F3} | {j.GetProperty("density").GetDouble():F3} | {j.GetProperty("coverage").GetDouble():F3} |");
            var evaluatorFile = Path.Combine(directory, "cache", "evaluators", (kind == "fashion" ? "fashion-mnist" : kind) + ".evaluator");
            if (!comparisons.Contains(kind) && File.Exists(evaluatorFile))
                Baselines(kind, evaluatorFile, j.GetProperty("samples").GetInt32());
        }
        return 0;
    }

    private static void Baselines(string kind, string evaluatorFile, int samples)
    {
        using var evaluator = Evaluator.Load(evaluatorFile);
        var info = evaluator.Info;
        if (info.Ceiling is { } ceiling)
            Row($"{kind}: real test images (ceiling), test accuracy {info.TestAccuracy:P2}", ceiling);
        using var generator = new Generator(1);
        using var noise = rand([samples, info.Channels, info.ImageSize, info.ImageSize], generator: generator).mul_(2).sub_(1);
        Row($"{kind}: uniform noise (baseline)", evaluator.Evaluate(noise));
        var recipe = EvaluatorRecipe.Find(info.Name);
        using var data = recipe.Load(info.DatasetPath, info.ImageSize, info.Channels);
        using var images = TensorDataset.ToUnitRange(data.TrainImages, CPU);
        using var mean = images.mean([0], keepdim: true);
        using var meanImages = mean.expand(samples, -1, -1, -1).contiguous();
        Row($"{kind}: the mean training image, repeated (baseline)", evaluator.Evaluate(meanImages));
    }

    private static void Row(string label, ImageQuality q) =>
        Console.WriteLine($"| {label} | {q.Samples} | {q.Classes.ClassesCovered}/{q.Classes.Classes} | {q.Classes.LabelEntropy:F3} | {q.Classes.ClassifierScore:F3} | {q.FrechetDistance:F3} | {q.Kid:F4} | {q.Neighbourhood.Precision:F3} | {q.Neighbourhood.Recall:F3} | {q.Neighbourhood.Density:F3} | {q.Neighbourhood.Coverage:F3} |");
}
