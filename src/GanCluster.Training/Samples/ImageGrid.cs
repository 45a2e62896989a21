using static TorchSharp.torch;

namespace GanCluster.Training.Samples;

/// <summary>Tiles generated images, [N, C, H, W] in [-1, 1], into one PNG grid.</summary>
public static class ImageGrid
{
    public static PngCanvas Render(Tensor images, int padding = 2)
    {
        using var scope = NewDisposeScope();
        var (n, c, h, w) = ((int)images.shape[0], (int)images.shape[1], (int)images.shape[2], (int)images.shape[3]);
        var pixels = images.detach().cpu().add(1).mul(127.5).clamp(0, 255).round().to_type(ScalarType.Byte).contiguous().data<byte>().ToArray();
        var columns = (int)Math.Ceiling(Math.Sqrt(n));
        var rows = (n + columns - 1) / columns;
        var canvas = new PngCanvas(columns * (w + padding) + padding, rows * (h + padding) + padding, (40, 40, 40));
        for (var k = 0; k < n; k++)
        {
            var ox = padding + k % columns * (w + padding);
            var oy = padding + k / columns * (h + padding);
            for (var y = 0; y < h; y++)
                for (var x = 0; x < w; x++)
                {
                    byte Channel(int ch) => pixels[((k * c + Math.Min(ch, c - 1)) * h + y) * w + x];
                    canvas[ox + x, oy + y] = (Channel(0), Channel(1), Channel(2));
                }
        }
        return canvas;
    }
}
