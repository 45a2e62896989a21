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
            x = Colour(x, u, rows);
        if (spec.Translation > 0)
            x = Translate(x, u, rows);
        if (spec.Cutout > 0)
            x = Cutout(x, u, rows);
        return x;
    }

    private static Tensor Column(double[] u, int rows, int column, Func<double, double> map, Tensor like) =>
        tensor(Enumerable.Range(0, rows).Select(i => (float)map(u[i * DrawsPerRow + column])).ToArray(), dtype: like.dtype, device: like.device).reshape(rows, 1, 1, 1);

    /// <summary>Brightness ±0.5, saturation ×[0, 2] (colour images only) and contrast ×[0.5, 1.5], as DiffAugment's colour policy.</summary>
    private static Tensor Colour(Tensor x, double[] u, int rows)
    {
        x = x + Column(u, rows, 0, v => v - 0.5, x);
        if (x.shape[1] > 1)
        {
            var grey = x.mean([1], keepdim: true);
            x = (x - grey) * Column(u, rows, 1, v => v * 2, x) + grey;
        }
        var mean = x.mean([1, 2, 3], keepdim: true);
        return (x - mean) * Column(u, rows, 2, v => v + 0.5, x) + mean;
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
        var (h, w) = ((int)x.shape[2], (int)x.shape[3]);
        var (ch, cw) = ((int)(h * spec.Cutout + 0.5), (int)(w * spec.Cutout + 0.5));
        var mask = new float[rows * h * w];
        Array.Fill(mask, 1f);
        for (var i = 0; i < rows; i++)
        {
            var cy = (int)Math.Floor(u[i * DrawsPerRow + 6] * (h + 1 - ch % 2));
            var cx = (int)Math.Floor(u[i * DrawsPerRow + 5] * (w + 1 - cw % 2));
            for (var y = Math.Max(0, cy - ch / 2); y < Math.Min(h, cy - ch / 2 + ch); y++)
                for (var c = Math.Max(0, cx - cw / 2); c < Math.Min(w, cx - cw / 2 + cw); c++)
                    mask[(i * h + y) * w + c] = 0f;
        }
        return x * tensor(mask, dtype: x.dtype, device: x.device).reshape(rows, 1, h, w);
    }
}
