using SkiaSharp;

namespace GanCluster.Cli.Plots;

/// <summary>Lays rendered plot panels (PNG bytes) out on one white canvas and writes it as a PNG file.</summary>
internal static class PngPanels
{
    public static void Write(string path, int width, int height, IEnumerable<(byte[] Png, int X, int Y)> panels)
    {
        using var image = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(image))
        {
            canvas.Clear(SKColors.White);
            foreach (var (png, x, y) in panels)
            {
                using var bitmap = SKBitmap.Decode(png);
                canvas.DrawBitmap(bitmap, x, y);
            }
        }
        using var encoded = SKImage.FromBitmap(image).Encode(SKEncodedImageFormat.Png, 100);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var file = File.Create(path);
        encoded.SaveTo(file);
    }
}
