using GanCluster.Specs;
using GanCluster.Training.Data;
using GanCluster.Training.Losses;
using static TorchSharp.torch;

namespace GanCluster.Training.Tests;

/// <summary>DiffAugment (issue 16, small datasets such as ORL faces): shifts, cutout and colour, differentiable and seeded per global batch.</summary>
public sealed class DiffAugmentTests
{
    private static readonly Generator Random = new(0);

    private static Tensor Augment(AugmentSpec spec, Tensor x, long batch = 3, AugmentPass pass = AugmentPass.Real, ShardSlice? shard = null) =>
        new DiffAugment(spec, seed: 11).Apply(x, batch, pass, shard ?? ShardSlice.Single((int)x.shape[0]), Random);

    [Fact]
    public void A_shift_moves_each_image_by_whole_pixels_within_the_bound_and_fills_the_border_with_zeros()
    {
        using var scope = NewDisposeScope();
        var x = zeros(16, 1, 16, 16);
        x[.., 0, 8, 8] = tensor(1f);
        var y = Augment(new AugmentSpec(0.125, 0, false), x);   // up to 2 pixels on a 16-pixel side
        var shifts = new HashSet<(long, long)>();
        for (var i = 0; i < 16; i++)
        {
            Assert.Equal(1f, y[i].sum().ToSingle());
            var at = y[i, 0].flatten().argmax().ToInt64();
            var (dy, dx) = (at / 16 - 8, at % 16 - 8);
            Assert.InRange(dy, -2, 2);
            Assert.InRange(dx, -2, 2);
            shifts.Add((dy, dx));
        }
        Assert.True(shifts.Count > 4, $"16 images took only {shifts.Count} distinct shifts");
        // The border a shift uncovers is zero, not a copy of the image.
        var full = Augment(new AugmentSpec(0.125, 0, false), ones(16, 1, 16, 16));
        Assert.True(full.sum().ToSingle() < 16 * 256, "no image was shifted");
    }

    [Fact]
    public void Cutout_zeroes_at_most_its_square_in_every_image_and_passes_gradients_only_through_what_it_keeps()
    {
        using var scope = NewDisposeScope();
        var x = ones(12, 1, 16, 16).requires_grad_(true);
        var y = Augment(new AugmentSpec(0, 0.5, false), x);
        y.sum().backward();
        for (var i = 0; i < 12; i++)
        {
            var cut = 256 - (int)y[i].sum().ToSingle();
            Assert.InRange(cut, 8, 64);   // an 8×8 square, clipped where it crosses an edge
            Assert.Equal(y[i].detach(), x.grad![i]);
        }
    }

    [Fact]
    public void Colour_shifts_brightness_per_image_and_keeps_a_flat_image_flat()
    {
        using var scope = NewDisposeScope();
        var y = Augment(new AugmentSpec(0, 0, true), zeros(8, 1, 4, 4));
        var levels = Enumerable.Range(0, 8).Select(i => y[i].mean().ToSingle()).ToList();
        Assert.All(levels, l => Assert.InRange(l, -0.5f, 0.5f));
        Assert.All(Enumerable.Range(0, 8), i => Assert.Equal(0f, (y[i] - levels[i]).abs().max().ToSingle(), 1e-6f));
        Assert.True(levels.Distinct().Count() == 8, "each image draws its own brightness");
    }

    [Fact]
    public void A_rank_augments_its_rows_as_one_process_augments_them_in_the_global_batch_and_each_pass_draws_anew()
    {
        using var scope = NewDisposeScope();
        var spec = new AugmentSpec(0.125, 0.5, true);
        manual_seed(5);
        var x = randn(8, 3, 16, 16);
        var global = Augment(spec, x);
        var second = Augment(spec, x.narrow(0, 4, 4), shard: new ShardSlice(1, 2, 8));
        Assert.Equal(global.narrow(0, 4, 4), second);
        Assert.Equal(global, Augment(spec, x));
        Assert.NotEqual(global, Augment(spec, x, pass: AugmentPass.Fake));
        Assert.NotEqual(global, Augment(spec, x, batch: 4));
    }

    [Fact]
    public void Off_returns_the_input_itself_and_points_are_refused_by_the_spec()
    {
        using var scope = NewDisposeScope();
        var x = randn(2, 1, 8, 8);
        Assert.Same(x, Augment(AugmentSpec.None, x));

        const string Yaml = "name: a\nsteps: 5\nmodel: { name: toy }\ndataset: { kind: ring8 }\n";
        Assert.Equal(AugmentSpec.None, RunSpecLoader.LoadText(Yaml).Spec.Augment);
        var points = Assert.Throws<SpecException>(() => RunSpecLoader.LoadText(Yaml + "augment: { translation: 0.125 }\n"));
        Assert.Contains("2D points", points.Message);
        var wide = Assert.Throws<SpecException>(() => RunSpecLoader.LoadText(Yaml.Replace("toy", "dcgan28").Replace("kind: ring8", "kind: idx, path: x") + "augment: { translation: 0.6 }\n", resolvePaths: false));
        Assert.Contains("augment.translation", wide.Message);
    }
}
