using StbImageWriteSharp;

namespace GanCluster.Training.Samples;

/// <summary>An RGB raster with the few drawing operations sample plots need, saved as PNG.</summary>
public sealed class PngCanvas
{
    private readonly byte[] _rgb;

    public PngCanvas(int width, int height, (byte R, byte G, byte B) background)
    {
        Width = width;
        Height = height;
        _rgb = new byte[width * height * 3];
        for (var i = 0; i < _rgb.Length; i += 3)
            (_rgb[i], _rgb[i + 1], _rgb[i + 2]) = background;
    }

    public int Width { get; }
    public int Height { get; }

    public (byte R, byte G, byte B) this[int x, int y]
    {
        get
        {
            var i = (y * Width + x) * 3;
            return (_rgb[i], _rgb[i + 1], _rgb[i + 2]);
        }
        set
        {
            if (x < 0 || y < 0 || x >= Width || y >= Height)
                return;
            var i = (y * Width + x) * 3;
            (_rgb[i], _rgb[i + 1], _rgb[i + 2]) = value;
        }
    }

    public void FillRectangle(int x, int y, int w, int h, (byte, byte, byte) colour)
    {
        for (var j = y; j < y + h; j++)
            for (var i = x; i < x + w; i++)
                this[i, j] = colour;
    }

    public void Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + ".tmp";
        using (var stream = File.Create(temporary))
            new ImageWriter().WritePng(_rgb, Width, Height, ColorComponents.RedGreenBlue, stream);
        File.Move(temporary, path, overwrite: true);
    }
}
