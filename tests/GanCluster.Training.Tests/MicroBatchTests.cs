using GanCluster.Specs;
using GanCluster.Training.Data;
using GanCluster.Training.Trainer;

namespace GanCluster.Training.Tests;

/// <summary>micro_batches: gradient accumulation, and the one-process emulation of per-rank BatchNorm statistics.</summary>
public sealed class MicroBatchTests
{
    [Fact]
    public void Micro_batches_match_the_whole_batch_for_a_model_without_batch_statistics()
    {
        // The toy MLP has no BatchNorm and no dropout: accumulating 4 micro-batches is the whole-batch gradient up to rounding.
        var whole = Run(TestSpecs.Toy("batch_size=64"));
        var micro = Run(TestSpecs.Toy("batch_size=64", "micro_batches=4"));
        for (var i = 0; i < whole.Count; i++)
        {
            Assert.True(Math.Abs(whole[i].DiscriminatorLoss - micro[i].DiscriminatorLoss) <= 1e-4 * Math.Abs(whole[i].DiscriminatorLoss), $"step {whole[i].Step}: {whole[i]} vs {micro[i]}");
            Assert.True(Math.Abs(whole[i].GeneratorLoss - micro[i].GeneratorLoss) <= 1e-4 * Math.Abs(whole[i].GeneratorLoss), $"step {whole[i].Step}: {whole[i]} vs {micro[i]}");
        }
    }

    [Fact]
    public void Micro_batches_of_a_class_conditional_model_give_each_row_its_own_labels()
    {
        // The MLP GAN has no BatchNorm: if a micro-batch (a rank's shard) paired rows with another shard's
        // real or fake labels, D and G would see different inputs and the losses would part.
        var digits = TestData.WriteIdx(64, gzip: false);
        var whole = Run(TestSpecs.Image("mlp", digits, "batch_size=16", "model.classes=10"));
        var micro = Run(TestSpecs.Image("mlp", digits, "batch_size=16", "model.classes=10", "micro_batches=4"));
        for (var i = 0; i < whole.Count; i++)
        {
            Assert.True(Math.Abs(whole[i].DiscriminatorLoss - micro[i].DiscriminatorLoss) <= 1e-4 * Math.Abs(whole[i].DiscriminatorLoss), $"step {whole[i].Step}: {whole[i]} vs {micro[i]}");
            Assert.True(Math.Abs(whole[i].GeneratorLoss - micro[i].GeneratorLoss) <= 1e-4 * Math.Abs(whole[i].GeneratorLoss), $"step {whole[i].Step}: {whole[i]} vs {micro[i]}");
        }
    }

    [Fact]
    public void Micro_batches_change_batch_statistics_models_as_per_rank_statistics_would()
    {
        var digits = TestData.WriteIdx(64, gzip: false);
        var whole = Run(TestSpecs.Image("dcgan28", digits, "batch_size=16"));
        var micro = Run(TestSpecs.Image("dcgan28", digits, "batch_size=16", "micro_batches=2"));
        // BatchNorm over 8 rows is not BatchNorm over 16: the losses must differ (or micro-batching did nothing).
        Assert.NotEqual(whole[0].DiscriminatorLoss, micro[0].DiscriminatorLoss);
        Assert.All(micro, r => Assert.True(float.IsFinite(r.DiscriminatorLoss) && float.IsFinite(r.GeneratorLoss), r.ToString()));
    }

    private static List<StepReport> Run(RunSpec spec)
    {
        using var dataset = DatasetFactory.Open(spec.Dataset, spec.Seed);
        using var trainer = TestSpecs.Trainer(spec, dataset);
        return TestSpecs.Train(trainer, 20);
    }
}
