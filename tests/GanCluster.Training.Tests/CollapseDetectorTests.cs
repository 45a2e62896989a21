using GanCluster.Training.Health;
using GanCluster.Training.Optim;
using GanCluster.Specs;
using GanCluster.Training.Trainer;

namespace GanCluster.Training.Tests;

public sealed class CollapseDetectorTests
{
    private static readonly CollapseThresholds Thresholds = new(CollapsedDiversity: 0.3, CollapsingDiversity: 0.6, SaturatedGap: 0.9, Persistence: 3, CollapsedCoverage: 0.75);

    private static StepReport Report(double diversity, float dReal = 0.6f, float dFake = 0.4f, float loss = 1.3f) =>
        new(1, loss, 0.7f, dReal, dFake, 1, 1, (float)diversity);

    [Fact]
    public void Diverse_samples_are_healthy()
    {
        var detector = new CollapseDetector(Thresholds);
        for (var i = 0; i < 10; i++)
            Assert.Equal(CollapseVerdict.Healthy, detector.Observe(Report(0.95), coverage: 1.0));
    }

    [Fact]
    public void A_persistent_loss_of_diversity_is_collapsing_then_collapsed()
    {
        var detector = new CollapseDetector(Thresholds);
        Assert.Equal(CollapseVerdict.Collapsing, detector.Observe(Report(0.1), null));
        Assert.Equal(CollapseVerdict.Collapsing, detector.Observe(Report(0.1), null));
        Assert.Equal(CollapseVerdict.Collapsed, detector.Observe(Report(0.1), null));
    }

    [Fact]
    public void One_low_batch_among_healthy_ones_does_not_flip_the_verdict()
    {
        var detector = new CollapseDetector(Thresholds);
        detector.Observe(Report(0.9), null);
        detector.Observe(Report(0.9), null);
        Assert.Equal(CollapseVerdict.Healthy, detector.Observe(Report(0.05), null));
    }

    [Fact]
    public void Low_evaluated_coverage_is_collapsed_at_once()
    {
        var detector = new CollapseDetector(Thresholds);
        Assert.Equal(CollapseVerdict.Collapsed, detector.Observe(Report(0.95), coverage: 0.5));
    }

    [Fact]
    public void A_saturated_discriminator_is_collapsed()
    {
        var detector = new CollapseDetector(Thresholds);
        for (var i = 0; i < 2; i++)
            detector.Observe(Report(0.9, dReal: 0.99f, dFake: 0.01f), null);
        Assert.Equal(CollapseVerdict.Collapsed, detector.Observe(Report(0.9, dReal: 0.99f, dFake: 0.01f), null));
    }

    [Fact]
    public void A_non_finite_loss_is_diverged()
    {
        var detector = new CollapseDetector(Thresholds);
        Assert.Equal(CollapseVerdict.Diverged, detector.Observe(Report(0.9, loss: float.NaN), null));
    }
}

public sealed class LearningRateScheduleTests
{
    [Fact]
    public void The_rate_falls_linearly_to_lr_end_at_the_last_step()
    {
        var spec = new OptimizerSpec(OptimizerKind.Adam, 1e-3, 0.5, 0.999, 0.99, 0, 0, EndLearningRate: 1e-4);
        Assert.Equal(1e-3, LearningRateSchedule.At(spec, 0, 1000), 12);
        Assert.Equal(5.5e-4, LearningRateSchedule.At(spec, 500, 1000), 12);
        Assert.Equal(1e-4, LearningRateSchedule.At(spec, 1000, 1000), 12);
        Assert.Equal(1e-3, LearningRateSchedule.At(spec with { EndLearningRate = null }, 500, 1000), 12);
    }

    [Fact]
    public void The_trainer_applies_the_schedule_to_both_optimizers()
    {
        var yaml = "name: lr\nsteps: 10\nbatch_size: 16\nthreads: 1\nmodel: { name: toy, hidden: 8, layers: 1 }\ndataset: { kind: ring8 }\n" +
                   "optimizers:\n  g: { kind: adam, lr: 1.0e-3, lr_end: 0 }\n  d: { kind: adam, lr: 2.0e-3, lr_end: 0 }\n";
        var spec = RunSpecLoader.LoadText(yaml, "lr.yaml").Spec;
        using var dataset = Data.DatasetFactory.Open(spec.Dataset, spec.Seed);
        using var trainer = new GanTrainer(spec, dataset, Data.ShardSlice.Single(spec.BatchSize));
        for (var i = 0; i < 5; i++)
            trainer.TrainStep(report: false);
        // The last update (step index 4) used lr · (1 − 4/10).
        Assert.Equal(1e-3 * 0.6, trainer.GeneratorOptimizer.ParamGroups.First().LearningRate, 12);
        Assert.Equal(2e-3 * 0.6, trainer.DiscriminatorOptimizer.ParamGroups.First().LearningRate, 12);
    }
}
