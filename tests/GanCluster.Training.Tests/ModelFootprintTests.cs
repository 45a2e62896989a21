using GanCluster.Specs;
using GanCluster.Training.Models;

namespace GanCluster.Training.Tests;

/// <summary>The footprint that refuses oversized specs is computed from the spec alone; it must stay true to the real networks.</summary>
public sealed class ModelFootprintTests
{
    public static TheoryData<ModelKind, int, int, int?, int, long[]> Models() => new()
    {
        { ModelKind.Mlp, 100, 128, null, 0, [1, 28, 28] },
        { ModelKind.Mlp, 7, 33, 19, 10, [1, 28, 28] },
        { ModelKind.Vanilla, 100, 240, null, 0, [1, 28, 28] },
        { ModelKind.Toy, 16, 128, 64, 0, [2] },
        { ModelKind.Dcgan28, 32, 64, null, 0, [1, 28, 28] },
        { ModelKind.Dcgan28, 32, 64, null, 10, [3, 28, 28] },
        { ModelKind.Radford28, 100, 64, 32, 0, [1, 28, 28] },
        { ModelKind.Dcgan64, 100, 16, 24, 0, [3, 64, 64] },
        { ModelKind.Dcgan64, 100, 8, null, 10, [1, 64, 64] },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void The_parameter_count_bounds_the_built_networks_within_two_percent(ModelKind kind, int latent, int hidden, int? dHidden, int classes, long[] shape)
    {
        var model = new ModelSpec(kind, latent, hidden, kind == ModelKind.Toy ? 3 : 2, dHidden, classes);
        using var networks = ModelFactory.Create(model, shape, differentiatedTwice: false);
        var actual = networks.Generator.parameters().Concat(networks.Discriminator.parameters()).Sum(p => p.numel());
        var estimated = ModelFootprint.Of(model, shape).Parameters;
        Assert.InRange(estimated, actual, actual + actual / 50);
    }

    [Fact]
    public void A_hostile_width_is_refused_before_anything_is_allocated_and_a_normal_spec_fits()
    {
        var hostile = TestSpecs.Toy("model.hidden=65536", "model.layers=64");
        var refused = Assert.Throws<ModelFootprintException>(() => ModelFootprint.RequireFits(hostile, 1, 16L << 30));
        Assert.Contains("more than this rank's memory limit of 17.18 GB", refused.Message);
        Assert.Contains("541,174,857,731 parameters", refused.Message);
        ModelFootprint.RequireFits(TestSpecs.Toy(), 1, 1L << 30);
        ModelFootprint.RequireFits(TestSpecs.Image("dcgan64", "/data", "batch_size=64"), 1, 4L << 30);
    }
}
