using GanCluster.Specs;
using GanCluster.Training.Data;
using static TorchSharp.torch;

namespace GanCluster.Training.Losses;

/// <summary>Which of D's inputs an augmentation is drawn for: each gets its own draws.</summary>
public enum AugmentPass
{
    Real = 0,
    Fake = 1,
    Generator = 2,
}

/// <summary>
/// Differentiable augmentation (DiffAugment, Zhao et al. 2020): every image D sees, real or generated, in D's step and in
/// G's, goes through the same kind of random transformation: brightness, contrast and (colour images) saturation; a shift
/// by up to <c>translation</c> of the side, filled with zeros; and a square of <c>cutout</c> of the side set to zero.
/// D cannot memorise a small dataset through them, and since G's gradient flows back through them, G learns the data,
/// not the augmentations. Draws are seeded per global batch and pass and sliced to the shard, so ranks and micro-batches
/// see what one process would.
/// </summary>
public sealed class DiffAugment(AugmentSpec spec, long seed)
{
    private const int DrawsPerRow = 7;   // brightness, saturation, contrast, shift x, shift y, cutout x, cutout y

    /// <summary>The images transformed, [shard, C, H, W]; the input itself when augmentation is off.</summary>
    public Tensor Apply(Tensor images, long batchIndex, AugmentPass pass, ShardSlice shard, Generator generator)
    {
        if (!spec.IsOn)
            return images;
        if (images.dim() != 4)
            throw new ArgumentException($"augment transforms images [N, C, H, W], found a tensor of shape [{string.Join(", ", images.shape)}]");
        generator.manual_seed(SeedMixer.Mix(seed, (long)RandomStream.Augmentation, batchIndex * 3 + (int)pass));
        var draws = rand([shard.GlobalBatch, DrawsPerRow], dtype: ScalarType.Float64, generator: generator).narrow(0, shard.Start, shard.Length);
        var u = draws.data<double>().ToArray();
        var rows = (int)images.shape[0];
        var x = images;
        if (spec.Color)
            x = Colour(x, draws);
        if (spec.Translation > 0)
            x = Translate(x, u, rows);
        if (spec.Cutout > 0)
            x = Cutout(x, u, rows);
        return x;
    }

    /// <summary>One column of the rows' draws, [rows, 1, 1, 1] in the images' type and device.</summary>
    private static Tensor Column(Tensor draws, int column, Tensor like) =>
        draws.select(1, column).to(like.dtype).to(like.device).reshape(-1, 1, 1, 1);

    /// <summary>Brightness ±0.5, saturation ×[0, 2] (colour images only) and contrast ×[0.5, 1.5], as DiffAugment's colour policy.</summary>
    private static Tensor Colour(Tensor x, Tensor draws)
    {
        x = x + (Column(draws, 0, x) - 0.5);
        if (x.shape[1] > 1)
        {
            var grey = x.mean([1], keepdim: true);
            x = (x - grey) * (Column(draws, 1, x) * 2) + grey;
        }
        var mean = x.mean([1, 2, 3], keepdim: true);
        return (x - mean) * (Column(draws, 2, x) + 0.5) + mean;
    }

    /// <summary>Whole-pixel shifts of up to <c>translation</c> of each side, the uncovered border zero.</summary>
    private Tensor Translate(Tensor x, double[] u, int rows)
    {
        var (h, w) = (x.shape[2], x.shape[3]);
        var (sy, sx) = ((long)(h * spec.Translation + 0.5), (long)(w * spec.Translation + 0.5));
        if (sx == 0 && sy == 0)
            return x;
        var padded = nn.functional.pad(x, [sx, sx, sy, sy]);
        var shifted = new Tensor[rows];
        for (var i = 0; i < rows; i++)
        {
            var dx = (long)Math.Floor(u[i * DrawsPerRow + 3] * (2 * sx + 1)) - sx;
            var dy = (long)Math.Floor(u[i * DrawsPerRow + 4] * (2 * sy + 1)) - sy;
            // Output pixel (y, x) is input pixel (y − dy, x − dx).
            shifted[i] = padded[i].narrow(1, sy - dy, h).narrow(2, sx - dx, w);
        }
        return stack(shifted);
    }

    /// <summary>A square of <c>cutout</c> of the side, centred anywhere in the image (clipped at its edges), set to zero.</summary>
    private Tensor Cutout(Tensor x, double[] u, int rows)
    {
        var (h, w) = (x.shape[2], x.shape[3]);
        var (ch, cw) = ((long)(h * spec.Cutout + 0.5), (long)(w * spec.Cutout + 0.5));
        var top = new long[rows];
        var left = new long[rows];
        for (var i = 0; i < rows; i++)
        {
            top[i] = (long)Math.Floor(u[i * DrawsPerRow + 6] * (h + 1 - ch % 2)) - ch / 2;
            left[i] = (long)Math.Floor(u[i * DrawsPerRow + 5] * (w + 1 - cw % 2)) - cw / 2;
        }
        var y0 = tensor(top, device: x.device).reshape(rows, 1, 1);
        var x0 = tensor(left, device: x.device).reshape(rows, 1, 1);
        var ys = arange(h, device: x.device).reshape(1, h, 1);
        var xs = arange(w, device: x.device).reshape(1, 1, w);
        var inside = ys.ge(y0).logical_and(ys.lt(y0 + ch)).logical_and(xs.ge(x0)).logical_and(xs.lt(x0 + cw));
        return x.masked_fill(inside.unsqueeze(1), 0);
    }
}
