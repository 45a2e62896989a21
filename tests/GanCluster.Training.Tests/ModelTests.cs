using GanCluster.Training.Models;
using GanCluster.Training.Spec;
using static TorchSharp.torch;

namespace GanCluster.Training.Tests;

public sealed class ModelTests
{
    [Theory]
    // G 100→128→128→784 and D 784→128→128→1, biases included.
    [InlineData("mlp", 100, 128, 2, new long[] { 1, 28, 28 }, 130_576, 117_121)]
    // Goodfellow's one hidden layer each.
    [InlineData("vanilla", 100, 128, 1, new long[] { 1, 28, 28 }, 114_064, 100_609)]
    // Dense 6272 + BN1d + ConvT(128→64,k5) + BN2d + ConvT(64→1,k5); Conv(1→64) + Conv(64→128) + Dense(6272→1).
    [InlineData("dcgan28", 32, 64, 2, new long[] { 1, 28, 28 }, 426_113, 212_865)]
    // Radford et al. at 28×28, w = 64: z→7·7·256 (1,254,400) + BN + ConvT 256→128 k4 + BN + ConvT 128→1 k4; Conv 1→64 k4 + Conv 64→128 k4 + BN + 7×7 readout.
    [InlineData("radford28", 100, 64, 2, new long[] { 1, 28, 28 }, 1_781_504, 138_624)]
    // Radford et al. with ngf = ndf = 64, RGB: the canonical 3,576,704 and 2,765,568.
    [InlineData("dcgan64", 100, 64, 4, new long[] { 3, 64, 64 }, 3_576_704, 2_765_568)]
    [InlineData("toy", 16, 128, 3, new long[] { 2 }, 35_458, 33_537)]
    public void Shapes_and_parameter_counts(string name, int latent, int hidden, int layers, long[] shape, long generatorParameters, long discriminatorParameters)
    {
        manual_seed(0);
        using var nets = ModelFactory.Create(new ModelSpec(name, latent, hidden, layers), shape);
        Assert.Equal(generatorParameters, GanNetworks.ParameterCount(nets.Generator));
        Assert.Equal(discriminatorParameters, GanNetworks.ParameterCount(nets.Discriminator));
        using var scope = NewDisposeScope();
        var z = randn(5, latent);
        var fake = nets.Generator.forward(z);
        Assert.Equal([5L, .. shape], fake.shape);
        Assert.True(fake.abs().max().ToSingle() <= 1f || name == "toy", "image generators end in tanh");
        Assert.Equal([5L, 1L], nets.Discriminator.forward(fake).shape);
    }

    [Fact]
    public void Vanilla_uses_a_uniform_prior_and_xavier_init()
    {
        manual_seed(0);
        using var nets = ModelFactory.Create(new ModelSpec("vanilla", 100, 128, 1), [1, 28, 28]);
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
        using var nets = ModelFactory.Create(new ModelSpec("dcgan64", 100, 64, 4), [3, 64, 64]);
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
        using var nets = GanCluster.Training.Models.ModelFactory.Create(new GanCluster.Training.Spec.ModelSpec("dcgan64", 16, 4, 4), [1, 64, 64]);
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
