using System.Text;

namespace GanCluster.Training.Data;

/// <summary>Decodes Netpbm greyscale images: binary (P5, 8-bit or 16-bit) and ASCII (P2).</summary>
public static class PgmDecoder
{
    public static (int Width, int Height, byte[] Pixels) Decode(string path, byte[] bytes)
    {
        var position = 0;
        var magic = Token(path, bytes, ref position);
        if (magic is not ("P5" or "P2"))
            throw new DatasetException(path, $"not a PGM image (magic '{magic}', expected P5 or P2)");
        var width = Number(path, bytes, ref position, "width");
        var height = Number(path, bytes, ref position, "height");
        var max = Number(path, bytes, ref position, "maximum grey value");
        if (width <= 0 || height <= 0 || max <= 0 || max > 65535)
            throw new DatasetException(path, $"invalid PGM header (width {width}, height {height}, max {max})");
        var pixels = new byte[width * height];
        if (magic == "P5")
        {
            position++; // exactly one whitespace byte separates the header from the raster
            var bytesPerPixel = max < 256 ? 1 : 2;
            var needed = (long)pixels.Length * bytesPerPixel;
            if (bytes.Length - position < needed)
                throw new DatasetException(path, $"truncated PGM raster: needs {needed} bytes, has {bytes.Length - position}");
            for (var i = 0; i < pixels.Length; i++)
            {
                var value = bytesPerPixel == 1 ? bytes[position + i] : (bytes[position + 2 * i] << 8) | bytes[position + 2 * i + 1];
                pixels[i] = (byte)(value * 255 / max);
            }
        }
        else
        {
            for (var i = 0; i < pixels.Length; i++)
                pixels[i] = (byte)(Number(path, bytes, ref position, "pixel") * 255 / max);
        }
        return (width, height, pixels);
    }

    private static int Number(string path, byte[] bytes, ref int position, string what)
    {
        var token = Token(path, bytes, ref position);
        return int.TryParse(token, out var value) ? value : throw new DatasetException(path, $"malformed PGM {what}: '{token}'");
    }

    private static string Token(string path, byte[] bytes, ref int position)
    {
        while (position < bytes.Length)
        {
            if (bytes[position] == '#')
                while (position < bytes.Length && bytes[position] != '\n')
                    position++;
            else if (char.IsWhiteSpace((char)bytes[position]))
                position++;
            else
                break;
        }
        var start = position;
        while (position < bytes.Length && !char.IsWhiteSpace((char)bytes[position]) && bytes[position] != '#')
            position++;
        if (start == position)
            throw new DatasetException(path, "truncated PGM header");
        return Encoding.ASCII.GetString(bytes, start, position - start);
    }
}
