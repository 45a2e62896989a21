using GanCluster.Specs;
using GanCluster.Training.Data;
using GanCluster.Training.Models;
using GanCluster.Training.Models.AntiCollapse;
using static TorchSharp.torch;

namespace GanCluster.Training.Tests;

/// <summary>D's anti-collapse techniques (issue 16): PacGAN, minibatch stddev, minibatch discrimination, spectral normalisation.</summary>
public sealed class AntiCollapseTests
{
    public static TheoryData<ModelKind, long[]> Models => new()
    {
        { ModelKind.Toy, [2] },
        { ModelKind.Mlp, [1, 28, 28] },
        { ModelKind.Vanilla, [1, 28, 28] },
        { ModelKind.Dcgan28, [1, 28, 28] },
        { ModelKind.Radford28, [1, 28, 28] },
        { ModelKind.Dcgan64, [3, 64, 64] },
    };

    private static ModelSpec Spec(ModelKind name, AntiCollapseSpec anti) => new(name, 8, name == ModelKind.Dcgan64 ? 8 : 16, 2) { AntiCollapse = anti };

    [Theory]
    [MemberData(nameof(Models))]
    public void Every_technique_keeps_one_logit_per_sample_on_every_model_and_gets_gradients(ModelKind name, long[] shape)
    {
        var all = new AntiCollapseSpec(Pack: 2, MinibatchStddevGroup: 2, MinibatchKernels: 6, MinibatchKernelDims: 3, SpectralNorm: true);
        manual_seed(1);
        using var plain = ModelFactory.Create(Spec(name, AntiCollapseSpec.None), shape, differentiatedTwice: false);
        manual_seed(1);
        using var nets = ModelFactory.Create(Spec(name, all), shape, differentiatedTwice: false);
        Assert.True(GanNetworks.ParameterCount(nets.Discriminator) > GanNetworks.ParameterCount(plain.Discriminator), "packing, stddev and discrimination add input weights");
        using var scope = NewDisposeScope();
        SpectralNorm.UpdateAll(nets.Discriminator);
        var x = nets.Generator.forward(randn(8, 8 + 0));
        var logits = nets.Discriminator.forward(x);
        Assert.Equal([8L, 1L], logits.shape);
        // A pack of two rows shares its one logit.
        Assert.Equal(logits[0].ToSingle(), logits[1].ToSingle());
        logits.sum().backward();
        var named = nets.Discriminator.named_parameters().ToList();
        Assert.All(named, p => Assert.True(p.parameter.grad is { } g && g.isfinite().all().ToBoolean() && g.abs().sum().ToDouble() > 0, $"{p.name} has no gradient"));
        Assert.Contains(named, p => p.name.Contains("layer.weight", StringComparison.Ordinal));
        Assert.Contains(nets.Discriminator.named_buffers(), b => b.name.EndsWith(".u", StringComparison.Ordinal));
    }

    [Fact]
    public void Spectral_normalisation_divides_each_weight_by_its_largest_singular_value()
    {
        manual_seed(2);
        using var layer = new SpectralNorm(nn.Linear(12, 7));
        for (var i = 0; i < 30; i++)
            layer.Update();
        var weight = layer.named_parameters().First(p => p.name == "layer.weight").parameter;
        var sigma = linalg.svdvals(weight).max().ToDouble();
        Assert.Equal(sigma, layer.Sigma, 4);
        // y = (W / σ) x + b, computed as (W x) / σ + b.
        using var scope = NewDisposeScope();
        var x = randn(5, 12);
        var bias = layer.named_parameters().First(p => p.name == "layer.bias").parameter;
        var expected = x.mm((weight / layer.Sigma).t()) + bias;
        Assert.True(layer.forward(x).allclose(expected, rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void Minibatch_stddev_is_zero_for_identical_rows_and_grows_with_their_spread()
    {
        using var stddev = new MinibatchStddev(4);
        using var scope = NewDisposeScope();
        var same = ones(8, 3).mul(0.5);
        var spread = randn(8, 3);
        Assert.True(stddev.forward(same)[.., 3].max().ToDouble() < 1e-3);
        Assert.True(stddev.forward(spread)[.., 3].min().ToDouble() > 0.3);
        Assert.Equal([8L, 4L, 5L, 5L], stddev.forward(randn(8, 3, 5, 5)).shape);
    }

    [Fact]
    public void Minibatch_discrimination_tells_a_collapsed_batch_from_a_diverse_one()
    {
        manual_seed(3);
        using var discrimination = new MinibatchDiscrimination(4, kernels: 5, dims: 3, differentiatedTwice: false);
        using var scope = NewDisposeScope();
        var collapsed = discrimination.forward(ones(6, 4))[.., 4..];
        var diverse = discrimination.forward(randn(6, 4).mul(5))[.., 4..];
        // Identical rows are each as close as can be to the 5 others: exp(0) × 5.
        Assert.True(collapsed.allclose(full_like(collapsed, 5.0)));
        Assert.True(diverse.mean().ToDouble() < 2.5);
    }

    [Fact]
    public void Minibatch_discrimination_by_cdist_matches_the_written_out_distances_and_only_these_take_a_gradient_penalty()
    {
        manual_seed(4);
        using var once = new MinibatchDiscrimination(6, kernels: 5, dims: 3, differentiatedTwice: false);
        using var twice = new MinibatchDiscrimination(6, kernels: 5, dims: 3, differentiatedTwice: true);
        twice.load_state_dict(once.state_dict());
        using var scope = NewDisposeScope();
        var rows = randn(16, 6);
        var (x1, x2) = (rows.clone().requires_grad_(true), rows.clone().requires_grad_(true));
        var (y1, y2) = (once.forward(x1), twice.forward(x2));
        Assert.True(y1.allclose(y2, rtol: 1e-5, atol: 1e-6), "the two ways give the same features");
        y1.pow(2).sum().backward();
        y2.pow(2).sum().backward();
        Assert.True(x1.grad!.allclose(x2.grad!, rtol: 1e-4, atol: 1e-6), "and the same gradients");
        // R1 differentiates D's input gradient again: the written-out distances allow it, and give the weight a gradient.
        var input = rows.clone().requires_grad_(true);
        var gradient = autograd.grad([twice.forward(input).sum()], [input], retain_graph: true, create_graph: true)[0];
        twice.zero_grad();
        gradient.pow(2).sum().backward();
        var weight = twice.parameters().Single().grad!;
        Assert.True(weight.isfinite().all().ToBoolean() && weight.abs().sum().ToDouble() > 0);
    }

    [Fact]
    public void A_batch_that_does_not_split_into_packs_and_groups_is_refused_by_the_spec()
    {
        var e = Assert.Throws<SpecException>(() => TestSpecs.Toy("batch_size=30", "model.pack=4"));
        Assert.Contains("packs of 4", e.Message);
        var group = Assert.Throws<SpecException>(() => TestSpecs.Toy("batch_size=32", "model.pack=2", "model.minibatch_stddev=3"));
        Assert.Contains("minibatch_stddev groups of 3", group.Message);
        TestSpecs.Toy("batch_size=32", "model.pack=2", "model.minibatch_stddev=4");
    }

    [Fact]
    public void Each_technique_trains_finite_on_the_ring()
    {
        foreach (var option in new[] { "model.pack=2", "model.minibatch_stddev=4", "model.minibatch_discrimination.kernels=8", "model.spectral_norm=true" })
        {
            var spec = TestSpecs.Toy(option);
            using var dataset = DatasetFactory.Open(spec.Dataset, spec.Seed);
            using var trainer = TestSpecs.Trainer(spec, dataset);
            var reports = TestSpecs.Train(trainer, 20);
            Assert.All(reports, r => Assert.True(r.IsFinite, $"{option}: {r}"));
            Assert.True(trainer.ParametersAreFinite(), option);
        }
    }
}
