using GanCluster.Training.Data;
using GanCluster.Training.Models;
using GanCluster.Specs;
using static TorchSharp.torch;

namespace GanCluster.Training.Tests;

/// <summary>Class-conditional GANs (model.classes): labels reach G and D, aligned with their rows, and G learns to obey them.</summary>
public sealed class ConditionalTests
{
    /// <summary>Image i is filled with the value i, and its label is (7·i) mod 10, so a batch row names its own label.</summary>
    private static TensorDataset SelfLabelling(int count, long seed)
    {
        var pixels = arange(count, ScalarType.Int64).view(count, 1, 1, 1).expand(count, 1, 28, 28).to_type(ScalarType.Byte).contiguous();
        var labels = arange(count, ScalarType.Int64).mul(7).remainder(10).to_type(ScalarType.Byte);
        return new TensorDataset(pixels, seed, labels);
    }

    [Fact]
    public void Batch_labels_are_the_labels_of_the_batch_rows_in_every_shard_and_epoch()
    {
        using var dataset = SelfLabelling(90, seed: 5);
        Assert.Equal(10, dataset.ClassCount);
        // 40-row batches over 90 images cross epoch boundaries, where the permutation changes.
        for (var batch = 0L; batch < 6; batch++)
            foreach (var shard in new[] { ShardSlice.Single(40), new ShardSlice(0, 2, 40), new ShardSlice(1, 2, 40) })
            {
                using var images = dataset.Batch(batch, shard, CPU);
                using var labels = dataset.BatchLabels(batch, shard, CPU);
                var rows = images.view(shard.Length, -1)[.., 0].add(1).mul(127.5).round().to_type(ScalarType.Int64).data<long>().ToArray();
                Assert.Equal(rows.Select(i => i * 7 % 10), labels.data<long>().ToArray());
            }
    }

    [Fact]
    public void Fake_labels_cycle_by_global_row_so_shards_see_the_rows_of_the_whole_batch()
    {
        using var whole = ClassConditioning.CycledLabels(ShardSlice.Single(8), 3, CPU);
        using var second = ClassConditioning.CycledLabels(new ShardSlice(1, 2, 8), 3, CPU);
        Assert.Equal([0L, 1, 2, 0, 1, 2, 0, 1], whole.data<long>().ToArray());
        Assert.Equal([1L, 2, 0, 1], second.data<long>().ToArray());
    }

    [Fact]
    public void D_reads_labels_as_constant_one_hot_channels_and_G_after_its_noise()
    {
        using var scope = NewDisposeScope();
        var images = zeros(2, 1, 4, 4);
        var labels = tensor(new long[] { 2, 0 });
        var input = ClassConditioning.Sample(images, labels, 3);
        Assert.Equal([2L, 4, 4, 4], input.shape);
        Assert.Equal(16f, input[0, 3].sum().ToSingle());
        Assert.Equal(0f, input[0, 1].sum().ToSingle() + input[0, 2].sum().ToSingle());
        Assert.Equal(16f, input[1, 1].sum().ToSingle());
        var latent = ClassConditioning.Latent(ones(2, 5), labels, 3);
        Assert.Equal(new float[] { 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0 }, latent.data<float>().ToArray());
    }

    [Fact]
    public void A_spec_asking_for_classes_without_labels_or_with_wgan_gp_is_refused_with_the_field_named()
    {
        var mixture = Assert.Throws<SpecException>(() => TestSpecs.Toy("model.classes=8"));
        Assert.Contains("model.classes", mixture.Message);
        Assert.Contains("no class labels", mixture.Message);
        var digits = TestData.WriteIdx(20, gzip: false);
        var gp = Assert.Throws<SpecException>(() => TestSpecs.Image("mlp", digits, "model.classes=10", "loss.kind=wgan-gp"));
        Assert.Contains("loss.gp_weight", gp.Message);
    }

    [Fact]
    public void A_dataset_with_more_classes_than_the_model_is_refused()
    {
        var digits = TestData.WriteIdx(20, gzip: false);
        var spec = TestSpecs.Image("mlp", digits, "model.classes=5");
        using var dataset = DatasetFactory.Open(spec.Dataset, spec.Seed);
        var e = Assert.Throws<ArgumentException>(() => TestSpecs.Trainer(spec, dataset));
        Assert.Contains("10 classes", e.Message);
    }

    /// <summary>
    /// Each class is one grey level. A conditional MLP GAN learns to draw the requested class's level, which
    /// needs labels that match their images (real side) and their noise (fake side); the same GAN without
    /// labels cannot, which shows the measure can fail.
    /// </summary>
    [Fact]
    public void A_conditional_GAN_learns_to_draw_the_class_it_is_given()
    {
        var conditional = LabelBrightnessCorrelation(classes: 10);
        var unconditional = LabelBrightnessCorrelation(classes: 0);
        Assert.True(conditional > 0.9, $"label–brightness correlation of a conditional GAN: {conditional:F3}");
        Assert.True(Math.Abs(unconditional) < 0.5, $"label–brightness correlation of an unconditional GAN: {unconditional:F3}");
    }

    private static double LabelBrightnessCorrelation(int classes)
    {
        using var scope = NewDisposeScope();
        // Image i: grey level 25·(i mod 10) plus noise; label i mod 10.
        var count = 200;
        var label = arange(count, ScalarType.Int64).remainder(10);
        var noise = randint(0, 20, [count, 1, 28, 28], generator: new Generator(3));
        var pixels = label.mul(25).view(count, 1, 1, 1).add(noise).to_type(ScalarType.Byte);
        using var dataset = new TensorDataset(pixels, 1, label.to_type(ScalarType.Byte));
        var spec = TestSpecs.Image("mlp", TestData.WriteIdx(10, gzip: false), $"model.classes={classes}", "model.hidden=64", "batch_size=50",
            "optimizers.g.lr=0.001", "optimizers.d.lr=0.001");
        using var trainer = TestSpecs.Trainer(spec, dataset);
        TestSpecs.Train(trainer, 300);
        // Sample row r is given class r mod 10 (when conditional).
        var brightness = trainer.GenerateSamples(200, 0).view(200, -1).mean([1]).to_type(ScalarType.Float64);
        var given = arange(200, ScalarType.Float64).remainder(10);
        return corrcoef(stack([brightness, given]))[0, 1].ToDouble();
    }
}
