using System.Diagnostics;
using GanCluster.Training.Data;
using GanCluster.Specs;
using GanCluster.Training.Trainer;
using TorchSharp;
using static TorchSharp.torch;

namespace GanCluster.Bench;

/// <summary>
/// Trainer steps/s against <see cref="BareLoop"/> on the same model, batch, data and thread count,
/// interleaved round by round (ABBA order) so that machine noise hits both alike.
/// </summary>
internal static class TrainerOverhead
{
    private sealed record Case(string Model, long[] Shape, int StepsPerRound);

    /// <param name="steps">Timed steps per pass for every model, instead of each model's default (200, 20, 3).</param>
    /// <param name="json">One JSON line per (model, threads) instead of the markdown table (bench/peers/step-vs-pytorch.sh reads them).</param>
    public static int Run(int rounds, IReadOnlyList<int> threadCounts, IReadOnlyList<string> models, int? steps = null, bool json = false)
    {
        var cases = new[]
        {
            new Case("mlp", [1, 28, 28], 200),
            new Case("dcgan28", [1, 28, 28], 20),
            new Case("dcgan64", [3, 64, 64], 3),
        }.Where(c => models.Contains(c.Model)).Select(c => steps is { } n ? c with { StepsPerRound = n } : c).ToList();
        if (json)
            return RunJson(rounds, threadCounts, cases);

        Console.WriteLine($"# Trainer overhead vs a bare TorchSharp loop (batch 64, Adam, non-saturating loss; {rounds} interleaved rounds, median)");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, TorchSharp {typeof(torch).Assembly.GetName().Version}");
        Console.WriteLine();
        Console.WriteLine("| model | threads | bare steps/s | trainer steps/s | trainer / bare | overhead |");
        Console.WriteLine("|---|---|---|---|---|---|");
        var worst = 0.0;
        foreach (var c in cases)
            foreach (var threads in threadCounts)
            {
                set_num_threads(threads);
                var (bare, trainer) = Measure(c, rounds);
                var ratio = trainer / bare;
                worst = Math.Max(worst, 1 - ratio);
                Console.WriteLine($"| {c.Model} | {threads} | {bare:F2} | {trainer:F2} | {ratio:F3} | {(1 - ratio) * 100:F1}% |");
            }
        Console.WriteLine();
        Console.WriteLine($"worst overhead: {worst * 100:F1}% (target ≤ 3%)");
        return 0;
    }

    private static int RunJson(int rounds, IReadOnlyList<int> threadCounts, List<Case> cases)
    {
        var version = typeof(torch).Assembly.GetName().Version;
        foreach (var c in cases)
            foreach (var threads in threadCounts)
            {
                set_num_threads(threads);
                var (bare, trainer) = Measure(c, rounds);
                Console.WriteLine(FormattableString.Invariant(
                    $$"""{"peer": "gancluster", "torchsharp": "{{version}}", "model": "{{c.Model}}", "threads": {{threads}}, "batch": 64, "steps": {{c.StepsPerRound}}, "rounds": {{rounds}}, "steps_per_second": {{trainer:R}}, "bare_steps_per_second": {{bare:R}}}"""));
            }
        return 0;
    }

    private static (double Bare, double Trainer) Measure(Case c, int rounds)
    {
        var spec = RunSpecLoader.LoadText($"""
            steps: 1000000
            batch_size: 64
            seed: 1
            model: {"{"} name: {c.Model} {"}"}
            dataset: {"{"} kind: images, path: /unused, image_size: {c.Shape[1]}, channels: {c.Shape[0]} {"}"}
            optimizers: {"{"} g: {"{"} kind: adam {"}"}, d: {"{"} kind: adam {"}"} {"}"}
            report_every: 1000000
            """, "bench.yaml").Spec;
        manual_seed(0);
        var pixels = randint(0, 256, [2048, .. c.Shape], dtype: ScalarType.Int32).to_type(ScalarType.Byte);
        using var dataset = new TensorDataset(pixels, seed: 1);
        using var unitRange = TensorDataset.ToUnitRange(pixels, CPU);
        using var trainer = new GanTrainer(spec with { Threads = 0 }, dataset, ShardSlice.Single(64));
        using var bare = new BareLoop(spec, unitRange);

        // Warm both up for 3 s each (at least 2 steps): the JIT promotes a method to optimised code only after
        // 30 calls, a quiet spell and a background compile, and whichever loop ran first used to pay for it (mlp, 1 round:
        // the trainer at 270 steps/s against the bare loop's 376 after 2 warm-up steps, 372 against 373 over 4 rounds).
        foreach (var warm in new Action[] { () => trainer.TrainStep(report: false), bare.Step })
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < 2 || clock.Elapsed < TimeSpan.FromSeconds(3); i++)
                warm();
        }
        var bareRates = new List<double>();
        var trainerRates = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            var trainerFirst = round % 2 == 0;
            for (var pass = 0; pass < 2; pass++)
            {
                var runTrainer = (pass == 0) == trainerFirst;
                var clock = Stopwatch.StartNew();
                for (var s = 0; s < c.StepsPerRound; s++)
                {
                    if (runTrainer)
                        trainer.TrainStep(report: false);
                    else
                        bare.Step();
                }
                (runTrainer ? trainerRates : bareRates).Add(c.StepsPerRound / clock.Elapsed.TotalSeconds);
            }
        }
        return (Median(bareRates), Median(trainerRates));
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
