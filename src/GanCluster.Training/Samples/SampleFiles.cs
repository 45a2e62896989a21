using System.Globalization;
using System.Text;
using static TorchSharp.torch;

namespace GanCluster.Training.Samples;

/// <summary>Writes generated samples for other tools: CSV for 2D points, NumPy .npy or a PNG grid for images.</summary>
public static class SampleFiles
{
    public static void Write(Tensor samples, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var extension = Path.GetExtension(path).ToLowerInvariant();
        var isPoints = samples.dim() == 2 && samples.shape[1] == 2;
        switch (extension)
        {
            case ".csv" when isPoints:
                WriteCsv(SampleWriter.ToPoints(samples), path);
                break;
            case ".npy":
                WriteNpy(samples, path);
                break;
            case ".png" when !isPoints:
                ImageGrid.Render(samples).Save(path);
                break;
            default:
                throw new ArgumentException(isPoints
                    ? $"{path}: 2D samples are written as .csv or .npy"
                    : $"{path}: image samples are written as .png (a grid) or .npy");
        }
    }

    public static void WriteCsv(float[,] points, string path)
    {
        var text = new StringBuilder("x,y\n");
        for (var i = 0; i < points.GetLength(0); i++)
            text.Append(points[i, 0].ToString("R", CultureInfo.InvariantCulture)).Append(',').Append(points[i, 1].ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        File.WriteAllText(path, text.ToString());
    }

    /// <summary>NumPy format 1.0: float32, C order, the tensor's shape.</summary>
    public static void WriteNpy(Tensor samples, string path)
    {
        using var data = samples.detach().cpu().to_type(ScalarType.Float32).contiguous();
        var shape = string.Join(", ", data.shape) + (data.dim() == 1 ? "," : "");
        var header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({shape}), }}";
        var padded = header.PadRight(((10 + header.Length + 1 + 63) / 64) * 64 - 10 - 1) + "\n";
        using var file = File.Create(path);
        file.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        file.Write(BitConverter.GetBytes((ushort)padded.Length));
        file.Write(Encoding.ASCII.GetBytes(padded));
        file.Write(data.bytes);
    }
}
