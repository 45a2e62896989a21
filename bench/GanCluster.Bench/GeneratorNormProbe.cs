using GanCluster.Training.Checkpoints;
using GanCluster.Training.Evaluation;
using GanCluster.Training.Trainer;

namespace GanCluster.Bench;

/// <summary>
/// One checkpoint's image quality under each way of sampling it, side by side: the EMA or the live G, with the
/// stored BatchNorm running averages or with standing statistics recomputed for those weights.
/// </summary>
internal static class GeneratorNormProbe
{
    public static int Run(string checkpointPath, string evaluatorPath, int samples)
    {
        var checkpoint = CheckpointFile.Read(checkpointPath);
        using var evaluator = Evaluator.Load(evaluatorPath);
        Console.WriteLine($"{checkpointPath} (step {checkpoint.Step}), {samples} samples, evaluator {evaluator.Info.Name}");
        Console.WriteLine("| generator | BatchNorm statistics | classes covered | classifier score | Fréchet distance | precision | recall |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var ema in new[] { true, false })
            foreach (var norm in new[] { NormStatistics.Running, NormStatistics.Standing })
            {
                using var generator = new CheckpointGenerator(checkpoint, checkpointPath, preferEma: ema, norm: norm);
                using var generated = generator.Generate(samples, index: 1);
                var q = evaluator.Evaluate(generated);
                Console.WriteLine($"| {(generator.UsesEma ? "EMA" : "G")} | {norm} | {q.Classes.ClassesCovered}/{q.Classes.Classes} | {q.Classes.ClassifierScore:F3} | {q.FrechetDistance:F3} | {q.Neighbourhood.Precision:F3} | {q.Neighbourhood.Recall:F3} |");
            }
        return 0;
    }
}
