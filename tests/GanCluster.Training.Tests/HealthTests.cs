using GanCluster.Training.Checkpoints;
using GanCluster.Training.Data;
using GanCluster.Training.Health;
using GanCluster.Training.Runtime;
using GanCluster.Training.Samples;
using static TorchSharp.torch;

namespace GanCluster.Training.Tests;

public sealed class OscillationTests
{
    [Fact]
    public void Constant_series_has_no_variation_and_no_period()
    {
        var o = OscillationIndex.Compute(Enumerable.Repeat(0.7, 32).ToList(), stepsPerSample: 50);
        Assert.True(o.CoefficientOfVariation < 1e-12);
        Assert.Equal(0.0, o.PeriodSteps);
    }

    [Fact]
    public void Sine_series_reports_its_period_and_amplitude()
    {
        // Period of 8 reports, 50 steps apart: 400 steps. CV of 1 + 0.5 sin is 0.5/√2 / 1.
        var series = Enumerable.Range(0, 64).Select(i => 1 + 0.5 * Math.Sin(2 * Math.PI * i / 8)).ToList();
        var o = OscillationIndex.Compute(series, stepsPerSample: 50);
        Assert.Equal(400, o.PeriodSteps);
        Assert.InRange(o.CoefficientOfVariation, 0.35, 0.36);
        Assert.True(o.Autocorrelation > 0.8);
    }

    [Fact]
    public void White_noise_has_no_strong_period()
    {
        var random = new Random(3);
        var o = OscillationIndex.Compute(Enumerable.Range(0, 64).Select(_ => 1 + 0.1 * random.NextDouble()).ToList(), 50);
        Assert.True(o.Autocorrelation < 0.4, $"autocorrelation {o.Autocorrelation} at period {o.PeriodSteps}");
    }

    [Fact]
    public void Window_slides()
    {
        var index = new OscillationIndex(window: 16, stepsPerSample: 10);
        for (var i = 0; i < 100; i++)
            index.Add(i % 4 < 2 ? 1 : 2);
        Assert.Equal(16, index.Count);
        Assert.Equal(40, index.Add(1).PeriodSteps, 0);
    }
}

public sealed class MixtureQualityTests
{
    private static float[,] Draw(GaussianMixture mixture, int count, long batch = 0)
    {
        using var samples = mixture.Batch(batch, ShardSlice.Single(count), CPU);
        return SampleWriter.ToPoints(samples);
    }

    [Fact]
    public void The_mixture_itself_covers_every_mode_at_full_quality()
    {
        using var ring = GaussianMixture.Ring8(1);
        var q = MixtureQuality.Evaluate(Draw(ring, 2500), ring.Modes, ring.StandardDeviation);
        // A 2D Gaussian holds 1 − e^(−9/2) ≈ 98.9% of its mass within 3 sd: real data's ceiling.
        Assert.Equal(8, q.ModesCovered);
        Assert.Equal(8, q.ModesReached);
        Assert.InRange(q.HighQualityFraction, 0.98, 0.995);
        Assert.True(q.ReverseKl < 0.01);
        using var grid = GaussianMixture.Grid25(1);
        var g = MixtureQuality.Evaluate(Draw(grid, 2500), grid.Modes, grid.StandardDeviation);
        Assert.Equal(25, g.ModesCovered);
        Assert.InRange(g.HighQualityFraction, 0.98, 0.995);
    }

    [Fact]
    public void A_dropped_mode_is_missed_and_costs_log_8_over_7()
    {
        using var ring = GaussianMixture.Ring8(1);
        var all = Draw(ring, 4000);
        var kept = Enumerable.Range(0, all.GetLength(0)).Where(i => !(all[i, 0] > 0.9f && Math.Abs(all[i, 1]) < 0.1f)).ToList();
        var points = new float[kept.Count, 2];
        for (var i = 0; i < kept.Count; i++)
            (points[i, 0], points[i, 1]) = (all[kept[i], 0], all[kept[i], 1]);
        var q = MixtureQuality.Evaluate(points, ring.Modes, ring.StandardDeviation);
        Assert.Equal(7, q.ModesCovered);
        Assert.Equal(7, q.ModesReached);
        Assert.Equal(0, q.ModeHistogram[0]);
        Assert.InRange(q.ReverseKl!.Value, Math.Log(8.0 / 7) - 0.01, Math.Log(8.0 / 7) + 0.02);
    }

    [Fact]
    public void All_samples_on_one_mode_is_total_collapse()
    {
        using var ring = GaussianMixture.Ring8(1);
        var points = new float[2500, 2];
        for (var i = 0; i < 2500; i++)
            (points[i, 0], points[i, 1]) = (ring.Modes[3, 0], ring.Modes[3, 1]);
        var q = MixtureQuality.Evaluate(points, ring.Modes, ring.StandardDeviation);
        Assert.Equal(1, q.ModesCovered);
        Assert.Equal(1, q.ModesReached);
        Assert.Equal(1.0, q.HighQualityFraction);
        Assert.Equal(Math.Log(8), q.ReverseKl!.Value, 9);
    }

    [Fact]
    public void A_disjoint_distribution_has_no_quality_and_no_kl()
    {
        using var ring = GaussianMixture.Ring8(1);
        var points = new float[100, 2];
        for (var i = 0; i < 100; i++)
            (points[i, 0], points[i, 1]) = (5 + i * 0.01f, 5);
        var q = MixtureQuality.Evaluate(points, ring.Modes, ring.StandardDeviation);
        Assert.Equal((0, 0.0), (q.ModesCovered, q.HighQualityFraction));
        Assert.Null(q.ReverseKl);
    }

    [Fact]
    public void Blurry_samples_reach_every_mode_without_covering_any()
    {
        // Every mode's samples spread 10× too wide: no high-quality sample, yet nothing has collapsed.
        using var ring = GaussianMixture.Ring8(1);
        var random = new Random(4);
        var points = new float[2400, 2];
        for (var i = 0; i < 2400; i++)
            (points[i, 0], points[i, 1]) = (ring.Modes[i % 8, 0] + (float)(0.1 * (random.NextDouble() - 0.5)) + 0.05f, ring.Modes[i % 8, 1] + 0.05f);
        var q = MixtureQuality.Evaluate(points, ring.Modes, ring.StandardDeviation);
        Assert.Equal(0, q.ModesCovered);
        Assert.Equal(8, q.ModesReached);
    }
}

public sealed class CheapSignalTests
{
    [Fact]
    public void Reports_carry_gradient_norms_and_a_diversity_ratio()
    {
        using var dataset = GaussianMixture.Ring8(7);
        using var trainer = TestSpecs.Trainer(TestSpecs.Toy(), dataset);
        var report = TestSpecs.Train(trainer, 5).Last();
        Assert.True(report.IsFinite);
        Assert.True(report.DiscriminatorGradNorm > 0 && float.IsFinite(report.DiscriminatorGradNorm));
        Assert.True(report.GeneratorGradNorm > 0 && float.IsFinite(report.GeneratorGradNorm));
        // An untrained toy G maps its noise to a tiny blob: far less spread than the ring of radius 1.
        Assert.InRange(report.DiversityRatio, 0.001f, 0.9f);
    }

    [Fact]
    public void Training_loop_evaluates_mixtures_on_its_cadence()
    {
        var spec = TestSpecs.Toy("steps=20", "report_every=5", "health.eval_every=10", "health.eval_samples=500");
        using var dataset = GaussianMixture.Ring8(spec.Seed);
        using var trainer = TestSpecs.Trainer(spec, dataset);
        var loop = new TrainingLoop(trainer, dataset, "x", new RunDirectory(TestData.NewDirectory()));
        Assert.Equal(LoopOutcome.Completed, loop.Run(spec.Steps, new Silent(), CancellationToken.None));
        Assert.Equal(500, loop.Monitor.Latest!.Mixture!.Samples);
        Assert.Equal(8, loop.Monitor.Latest.Mixture.Modes);
    }

    [Fact]
    public void Non_finite_data_marks_the_run_diverged_and_keeps_the_last_good_checkpoint()
    {
        var spec = TestSpecs.Toy("steps=100", "report_every=5", "checkpoint_every=10", "keep_checkpoints=10");
        using var ring = GaussianMixture.Ring8(spec.Seed);
        using var poisoned = new PoisonedAfter(ring, batch: 23);
        using var trainer = TestSpecs.Trainer(spec, poisoned);
        var directory = new RunDirectory(TestData.NewDirectory());
        var loop = new TrainingLoop(trainer, poisoned, "x", directory);
        Assert.Equal(LoopOutcome.Diverged, loop.Run(spec.Steps, new Silent(), CancellationToken.None));
        Assert.True(loop.Monitor.Latest!.Diverged);
        Assert.True(trainer.Step <= 25, $"stopped at step {trainer.Step}, the first report after the poison is step 25");
        Assert.Equal(["step-00000010.gck", "step-00000020.gck"], directory.Checkpoints().Select(Path.GetFileName));
        var last = CheckpointFile.Read(directory.CheckpointFor(20));
        Assert.All(last.Entries.Where(e => e.DType == "Float32"), e => Assert.All(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(e.Data).ToArray(), v => Assert.True(float.IsFinite(v), e.Name)));
        Assert.Contains("\"diverged\":true", File.ReadAllLines(directory.MetricsFile).Last());
    }

    private sealed class Silent : ITrainingObserver;

    /// <summary>Real mixture data until a batch index, then NaN: what a corrupted input pipeline delivers.</summary>
    private sealed class PoisonedAfter(IGanDataset inner, long batch) : IGanDataset
    {
        public long[] SampleShape => inner.SampleShape;
        public long? Count => inner.Count;

        public Tensor Batch(long batchIndex, ShardSlice shard, Device device)
        {
            var real = inner.Batch(batchIndex, shard, device);
            return batchIndex >= batch ? real.fill_(float.NaN) : real;
        }

        public void Dispose() { }
    }
}
