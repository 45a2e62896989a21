using GanCluster.Training.Models;
using GanCluster.Specs;
using static TorchSharp.torch;

namespace GanCluster.Training.Tests;

public sealed class ModelTests
{
    [Theory]
    // G 100→128→128→784 and D 784→128→128→1, biases included.
    [InlineData(ModelKind.Mlp, 100, 128, 2, new long[] { 1, 28, 28 }, 130_576, 117_121)]
    // Goodfellow's one hidden layer each.
    [InlineData(ModelKind.Vanilla, 100, 128, 1, new long[] { 1, 28, 28 }, 114_064, 100_609)]
    // Dense 6272 + BN1d + ConvT(128→64,k5) + BN2d + ConvT(64→1,k5); Conv(1→64) + Conv(64→128) + Dense(6272→1).
    [InlineData(ModelKind.Dcgan28, 32, 64, 2, new long[] { 1, 28, 28 }, 426_113, 212_865)]
    // Radford et al. at 28×28, w = 64: z→7·7·256 (1,254,400) + BN + ConvT 256→128 k4 + BN + ConvT 128→1 k4; Conv 1→64 k4 + Conv 64→128 k4 + BN + 7×7 readout.
    [InlineData(ModelKind.Radford28, 100, 64, 2, new long[] { 1, 28, 28 }, 1_781_504, 138_624)]
    // Radford et al. with ngf = ndf = 64, RGB: the canonical 3,576,704 and 2,765,568.
    [InlineData(ModelKind.Dcgan64, 100, 64, 4, new long[] { 3, 64, 64 }, 3_576_704, 2_765_568)]
    [InlineData(ModelKind.Toy, 16, 128, 3, new long[] { 2 }, 35_458, 33_537)]
    public void Shapes_and_parameter_counts(ModelKind name, int latent, int hidden, int layers, long[] shape, long generatorParameters, long discriminatorParameters)
    {
        manual_seed(0);
        using var nets = ModelFactory.Create(new ModelSpec(name, latent, hidden, layers), shape, differentiatedTwice: false);
        Assert.Equal(generatorParameters, GanNetworks.ParameterCount(nets.Generator));
        Assert.Equal(discriminatorParameters, GanNetworks.ParameterCount(nets.Discriminator));
        using var scope = NewDisposeScope();
        var z = randn(5, latent);
        var fake = nets.Generator.forward(z);
        Assert.Equal([5L, .. shape], fake.shape);
        Assert.True(fake.abs().max().ToSingle() <= 1f || name == ModelKind.Toy, "image generators end in tanh");
        Assert.Equal([5L, 1L], nets.Discriminator.forward(fake).shape);
    }

    [Fact]
    public void D_hidden_widens_D_alone()
    {
        var spec = TestSpecs.Load("steps: 1\nmodel: { name: radford28, hidden: 16, d_hidden: 48 }\ndataset: { kind: idx, path: x }\n").Model;
        Assert.Equal((16, 48), (spec.Hidden, spec.DHidden));
        Assert.Equal(16, TestSpecs.Load("steps: 1\nmodel: { name: radford28, hidden: 16 }\ndataset: { kind: idx, path: x }\n").Model.DHidden);
        using var wide = ModelFactory.Create(spec, [1, 28, 28], differentiatedTwice: false);
        using var same = ModelFactory.Create(spec with { DiscriminatorHidden = null }, [1, 28, 28], differentiatedTwice: false);
        using var asWide = ModelFactory.Create(spec with { Hidden = 48, DiscriminatorHidden = null }, [1, 28, 28], differentiatedTwice: false);
        Assert.Equal(GanNetworks.ParameterCount(same.Generator), GanNetworks.ParameterCount(wide.Generator));
        Assert.Equal(GanNetworks.ParameterCount(asWide.Discriminator), GanNetworks.ParameterCount(wide.Discriminator));
        Assert.True(GanNetworks.ParameterCount(wide.Discriminator) > GanNetworks.ParameterCount(same.Discriminator));
    }

    [Fact]
    public void Vanilla_uses_a_uniform_prior_and_xavier_init()
    {
        manual_seed(0);
        using var nets = ModelFactory.Create(new ModelSpec(ModelKind.Vanilla, 100, 128, 1), [1, 28, 28], differentiatedTwice: false);
        Assert.Equal(LatentPrior.Uniform, nets.Prior);
        var first = nets.Generator.parameters().First();
        var bound = Math.Sqrt(6.0 / (100 + 128));
        Assert.True(first.abs().max().ToDouble() <= bound);
        Assert.True(first.abs().max().ToDouble() > 0.9 * bound, "Xavier-uniform fills its range");
    }

    [Fact]
    public void Dcgan64_weights_follow_radford_initialisation()
    {
        manual_seed(0);
        using var nets = ModelFactory.Create(new ModelSpec(ModelKind.Dcgan64, 100, 64, 4), [3, 64, 64], differentiatedTwice: false);
        var convWeight = nets.Discriminator.named_parameters().First(p => p.name.EndsWith("weight")).parameter;
        Assert.InRange(convWeight.std().ToDouble(), 0.018, 0.022);
        Assert.InRange(convWeight.mean().ToDouble(), -0.002, 0.002);
    }
}

public sealed class LatentProjectionTests
{
    [Fact]
    public void Latent_projection_equals_a_bias_free_conv_transpose_on_a_1x1_input()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        using var nets = GanCluster.Training.Models.ModelFactory.Create(new GanCluster.Specs.ModelSpec(ModelKind.Dcgan64, 16, 4, 4), [1, 64, 64], differentiatedTwice: false);
        var projection = nets.Generator.named_parameters().First();
        Assert.Equal([16L, 32, 4, 4], projection.parameter.shape);
        var z = randn(3, 16);
        var projected = nets.Generator.named_children().First().module.named_children().First().module switch
        {
            nn.Module<Tensor, Tensor> m => m.forward(z),
            _ => throw new InvalidOperationException(),
        };
        // Reference: the transposed convolution with a zero bias, which takes libtorch's initialised path.
        var reference = nn.functional.conv_transpose2d(z.view(3, 16, 1, 1), projection.parameter, zeros(32), strides: [1, 1], padding: [0, 0]);
        Assert.True(projected.allclose(reference, rtol: 1e-5, atol: 1e-6));
    }
}

public sealed class UnfoldedConvolutionTests
{
    [Fact]
    public void It_equals_the_strided_convolution_forward_and_backward()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        var layer = new UnfoldedConvolution(1, 8, 4, stride: 2, padding: 1);
        var weight = layer.parameters().Single();
        Assert.Equal([8L, 1, 4, 4], weight.shape);
        var x = randn(3, 1, 28, 28).requires_grad_(true);
        var y = layer.forward(x);
        var reference = nn.functional.conv2d(x, weight, strides: [2, 2], padding: [1, 1]);
        Assert.Equal([3L, 8, 14, 14], y.shape);
        Assert.True(y.allclose(reference, rtol: 1e-5, atol: 1e-6));
        var probe = randn_like(y);
        var gradients = autograd.grad([(y * probe).sum()], [x, weight]);
        // With 16 outputs (8 of them zero) the convolution takes libtorch's sound input-gradient path: compare with that.
        var wide = cat([weight, zeros(8, 1, 4, 4)], 0);
        var wideOut = nn.functional.conv2d(x, wide, strides: [2, 2], padding: [1, 1]);
        var soundGradients = autograd.grad([(wideOut.narrow(1, 0, 8) * probe).sum()], [x, weight]);
        Assert.True(gradients[0].allclose(soundGradients[0], rtol: 1e-4, atol: 1e-5), "input gradient");
        Assert.True(gradients[1].allclose(soundGradients[1], rtol: 1e-4, atol: 1e-5), "weight gradient");
    }

    /// <summary>
    /// The libtorch 2.10 CPU bug this works around: the input gradient of a conv with one input channel and fewer
    /// than 16 outputs reads uninitialised memory. Blocks filled with NaN and freed make it show on every try.
    /// </summary>
    [Theory]
    [InlineData(ModelKind.Dcgan64, 8, 64)]
    [InlineData(ModelKind.Radford28, 8, 28)]
    public void D_input_gradient_stays_finite_over_recycled_NaN_memory(ModelKind model, int width, int size)
    {
        manual_seed(0);
        using var d = ModelFactory.CreateDiscriminator(new ModelSpec(model, 16, width, 4), [1, size, size], new DropoutContext(), differentiatedTwice: false);
        static void Dirty() => new[] { 16L, 64, 256, 1024, 4096, 8192, 16384, 32768, 65536, 131072, 262144, 1 << 20 }
            .SelectMany(n => Enumerable.Range(0, 4).Select(_ => full(n, float.NaN))).ToList().ForEach(t => t.Dispose());
        // Which recycled block the kernel picks up depends on the allocations around it: alternate two patterns.
        for (var round = 0; round < 20; round++)
        {
            using var scope = NewDisposeScope();
            Dirty();
            var x = randn(8, 1, size, size).requires_grad_(true);
            var logits = d.forward(x);
            if (round % 2 == 1)
                Dirty(); // as in a training step, other work runs between the forward pass and the backward pass
            var gradient = autograd.grad([logits.sum()], [x])[0];
            Assert.True(gradient.isfinite().all().ToBoolean(), $"round {round}: non-finite input gradient of D");
        }
    }
}
