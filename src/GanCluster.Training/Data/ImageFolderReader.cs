using StbImageSharp;
using static TorchSharp.torch;

namespace GanCluster.Training.Data;

/// <summary>
/// Loads every PGM/PNG/JPEG under a folder (ORL's <c>sN/M.pgm</c>, CelebA's <c>img_align_celeba/*.jpg</c>),
/// centre-crops each to a square, resizes it to N×N and stacks them as uint8 [N, C, size, size].
/// </summary>
public static class ImageFolderReader
{
    private static readonly string[] Extensions = [".pgm", ".png", ".jpg", ".jpeg"];

    public static IReadOnlyList<string> List(string directory)
    {
        if (!Directory.Exists(directory))
            throw new DatasetException(directory, "no such directory (expected a folder of .pgm, .png or .jpg images)");
        var files = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (files.Count == 0)
            throw new DatasetException(directory, "holds no .pgm, .png or .jpg images");
        return files;
    }

    public static Tensor Load(string directory, int size, int channels, int? limit = null)
    {
        var files = List(directory);
        if (limit is { } l && l < files.Count)
            files = files.Take(l).ToList();
        var output = new byte[files.Count * channels * size * size];
        try
        {
            Parallel.For(0, files.Count, i =>
            {
                var pixels = LoadOne(files[i], size, channels);
                pixels.CopyTo(output, i * pixels.Length);
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.OfType<DatasetException>().FirstOrDefault() is { } first)
        {
            throw first;
        }
        return tensor(output, [files.Count, channels, size, size], ScalarType.Byte);
    }

    /// <summary>One image as channel-major uint8 [C, size, size].</summary>
    public static byte[] LoadOne(string path, int size, int channels)
    {
        var (width, height, interleaved) = Decode(path, channels);
        var side = Math.Min(width, height);
        var x0 = (width - side) / 2;
        var y0 = (height - side) / 2;
        var result = new byte[channels * size * size];
        var scale = (double)side / size;
        for (var c = 0; c < channels; c++)
            for (var y = 0; y < size; y++)
                for (var x = 0; x < size; x++)
                    result[(c * size + y) * size + x] = BoxSample(interleaved, width, channels, c, x0 + x * scale, y0 + y * scale, scale);
        return result;
    }

    /// <summary>Averages the source pixels under one destination pixel (area resampling; bilinear-like when enlarging).</summary>
    private static byte BoxSample(byte[] src, int width, int channels, int c, double left, double top, double extent)
    {
        var x1 = left + Math.Max(extent, 1);
        var y1 = top + Math.Max(extent, 1);
        double sum = 0, weight = 0;
        for (var y = (int)Math.Floor(top); y < (int)Math.Ceiling(y1); y++)
        {
            var wy = Math.Min(y + 1, y1) - Math.Max(y, top);
            for (var x = (int)Math.Floor(left); x < (int)Math.Ceiling(x1); x++)
            {
                var wx = Math.Min(x + 1, x1) - Math.Max(x, left);
                var sx = Math.Clamp(x, 0, width - 1);
                var sy = Math.Clamp(y, 0, src.Length / channels / width - 1);
                sum += wx * wy * src[(sy * width + sx) * channels + c];
                weight += wx * wy;
            }
        }
        return (byte)Math.Clamp(Math.Round(sum / weight), 0, 255);
    }

    private static (int Width, int Height, byte[] Interleaved) Decode(string path, int channels)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException e)
        {
            throw new DatasetException(path, $"cannot be read ({e.Message})");
        }
        if (Path.GetExtension(path).Equals(".pgm", StringComparison.OrdinalIgnoreCase))
        {
            var (w, h, grey) = PgmDecoder.Decode(path, bytes);
            return (w, h, channels == 1 ? grey : grey.SelectMany(g => new[] { g, g, g }).ToArray());
        }
        try
        {
            var image = ImageResult.FromMemory(bytes, channels == 1 ? ColorComponents.Grey : ColorComponents.RedGreenBlue);
            return (image.Width, image.Height, image.Data);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // StbImageSharp's reason is sometimes an empty, NUL-filled buffer: say what is known instead.
            var reason = DatasetException.Readable(e.Message);
            throw new DatasetException(path, $"not a decodable image ({(reason.Length > 0 ? reason : "corrupt or truncated")})");
        }
    }
}
