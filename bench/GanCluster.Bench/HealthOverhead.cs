using System.Diagnostics;
using GanCluster.Training.Data;
using GanCluster.Training.Evaluation;
using GanCluster.Training.Health;
using GanCluster.Training.Samples;
using GanCluster.Specs;
using GanCluster.Training.Trainer;
using TorchSharp;
using static TorchSharp.torch;

namespace GanCluster.Bench;

/// <summary>
/// The cost of health monitoring, side by side in one process: the same trainer stepping with metrics
/// off, with the cheap signals at their default cadence (a report every 50 steps: scalar reads,
/// gradient norms, diversity ratio, oscillation windows), and with the periodic evaluation on top: the
/// mixture metrics for ring8, the image metrics (given an evaluator file) for the 28×28 models.
/// </summary>
internal static class HealthOverhead
{
    private enum Mode { Off, Cheap, Periodic }

    private static readonly List<double> _evaluationSeconds = [];

    public static int Run(int rounds, int threads, string? evaluatorFile)
    {
        Console.WriteLine($"# Health-monitoring overhead ({rounds} interleaved rounds, median; {threads} thread(s))");
        Console.WriteLine();
        Console.WriteLine("| model / data | batch | steps per round | metrics off steps/s | cheap signals (every 50) | cost | + periodic evaluation | cost | one evaluation, timed | its share of the cadence |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        set_num_threads(threads);
        using var evaluator = evaluatorFile is null ? null : Evaluator.Load(evaluatorFile);
        Measure("toy / ring8", "model: { name: toy }\ndataset: { kind: ring8 }", 256, 500, rounds, evalEvery: 500, evaluator: null);
        Measure("mlp / 28×28", "model: { name: mlp }\ndataset: { kind: images, path: /unused, image_size: 28, channels: 1 }", 64, 2500, rounds, evalEvery: 2500, evaluator);
        // dcgan28 steps take ~30× longer than mlp ones, so the same evaluation costs it ~30× less: mlp is the worst case.
        Measure("dcgan28 / 28×28", "model: { name: dcgan28 }\ndataset: { kind: images, path: /unused, image_size: 28, channels: 1 }", 64, 50, rounds, evalEvery: 0, evaluator: null);
        return 0;
    }

    private static void Measure(string label, string modelAndData, int batch, int stepsPerRound, int rounds, int evalEvery, Evaluator? evaluator)
    {
        var spec = RunSpecLoader.LoadText($"steps: 100000000\nbatch_size: {batch}\nseed: 1\n{modelAndData}\n", "bench.yaml").Spec;
        var isMixture = spec.Dataset.Kind == DatasetKind.Ring8;
        using IGanDataset dataset = isMixture ? GaussianMixture.Ring8(1) : RandomImages(spec);
        using var trainer = new GanTrainer(spec, dataset, ShardSlice.Single(batch));
        var monitor = new HealthMonitor("bench", 0, window: 32, reportEvery: 50);
        var rates = new Dictionary<Mode, List<double>> { [Mode.Off] = [], [Mode.Cheap] = [], [Mode.Periodic] = [] };
        _evaluationSeconds.Clear();
        var periodic = isMixture || evaluator is not null;
        var modes = periodic ? new[] { Mode.Off, Mode.Cheap, Mode.Periodic } : [Mode.Off, Mode.Cheap];
        Steps(trainer, dataset, monitor, Mode.Cheap, 50, evalEvery, evaluator);
        for (var round = 0; round < rounds; round++)
        {
            var order = round % 2 == 0 ? modes : modes.Reverse().ToArray();
            foreach (var mode in order)
            {
                var clock = Stopwatch.StartNew();
                Steps(trainer, dataset, monitor, mode, stepsPerRound, evalEvery, evaluator);
                rates[mode].Add(stepsPerRound / clock.Elapsed.TotalSeconds);
            }
        }
        var off = Median(rates[Mode.Off]);
        var cheap = Median(rates[Mode.Cheap]);
        var what = isMixture ? "mixture metrics" : "image metrics";
        // The rate ratio is noisy on a shared machine; timing each evaluation directly and dividing by the
        // time of the steps between two evaluations (at the metrics-off rate) gives the same cost with less noise.
        var timed = _evaluationSeconds.Count > 0 ? Median(_evaluationSeconds) : double.NaN;
        var cell = periodic
            ? $"{Median(rates[Mode.Periodic]):F1} | {(1 - Median(rates[Mode.Periodic]) / off) * 100:F1}% ({what}, 2,500 samples every {evalEvery} steps) | {timed * 1000:F0} ms | {timed / (evalEvery / off) * 100:F2}%"
            : "n/a (no --evaluator given) | - | - | -";
        Console.WriteLine($"| {label} | {batch} | {stepsPerRound} | {off:F1} | {cheap:F1} | {(1 - cheap / off) * 100:F1}% | {cell} |");
    }

    private static void Steps(GanTrainer trainer, IGanDataset dataset, HealthMonitor monitor, Mode mode, int count, int evalEvery, Evaluator? evaluator)
    {
        for (var i = 0; i < count; i++)
        {
            var next = trainer.Step + 1;
            var report = trainer.TrainStep(mode != Mode.Off && next % 50 == 0);
            if (report is null)
                continue;
            if (mode == Mode.Periodic && evalEvery > 0 && next % evalEvery == 0 && (dataset is GaussianMixture || evaluator is not null))
            {
                var clock = Stopwatch.StartNew();
                using var samples = trainer.GenerateSamples(2500, next);
                if (dataset is GaussianMixture mixture)
                    monitor.LatestMixture = MixtureQuality.Evaluate(SampleWriter.ToPoints(samples), mixture.Modes, mixture.StandardDeviation);
                else
                    monitor.LatestImages = evaluator!.Evaluate(samples);
                _evaluationSeconds.Add(clock.Elapsed.TotalSeconds);
            }
            monitor.Observe(report, 0);
        }
    }

    private static TensorDataset RandomImages(RunSpec spec)
    {
        manual_seed(0);
        var shape = DatasetFactory.SampleShape(spec.Dataset);
        return new TensorDataset(randint(0, 256, [4096, .. shape], dtype: ScalarType.Int32).to_type(ScalarType.Byte), seed: 1);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
