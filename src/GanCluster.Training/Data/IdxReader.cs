using System.Buffers.Binary;
using System.IO.Compression;

namespace GanCluster.Training.Data;

/// <summary>Reads LeCun's IDX files (MNIST, Fashion-MNIST), gzipped or raw.</summary>
public static class IdxReader
{
    public static readonly (string Images, string Labels) TrainFiles = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte");
    public static readonly (string Images, string Labels) TestFiles = ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

    /// <summary>Finds <paramref name="name"/> in <paramref name="directory"/>, raw or with a .gz suffix.</summary>
    public static string Locate(string directory, string name)
    {
        if (!Directory.Exists(directory))
            throw new DatasetException(directory, "no such directory (expected a folder with IDX files such as train-images-idx3-ubyte.gz)");
        foreach (var candidate in new[] { name, name + ".gz", name.Replace("-idx", ".idx", StringComparison.Ordinal), name.Replace("-idx", ".idx", StringComparison.Ordinal) + ".gz" })
        {
            var path = Path.Combine(directory, candidate);
            if (File.Exists(path))
                return path;
        }
        throw new DatasetException(Path.Combine(directory, name), "missing (looked for the raw file and its .gz)");
    }

    /// <summary>Reads an idx3 image file: returns (count, rows, cols, pixels row-major).</summary>
    public static (int Count, int Rows, int Cols, byte[] Pixels) ReadImages(string path)
    {
        var bytes = ReadAll(path);
        var dims = Header(path, bytes, expectedType: 0x08, expectedDims: 3);
        var expected = 16L + (long)dims[0] * dims[1] * dims[2];
        if (bytes.Length != expected)
            throw new DatasetException(path, $"truncated or padded IDX image file: header promises {dims[0]}×{dims[1]}×{dims[2]} pixels ({expected} bytes), file has {bytes.Length} bytes");
        return (dims[0], dims[1], dims[2], bytes[16..]);
    }

    /// <summary>Reads an idx1 label file.</summary>
    public static byte[] ReadLabels(string path)
    {
        var bytes = ReadAll(path);
        var dims = Header(path, bytes, expectedType: 0x08, expectedDims: 1);
        if (bytes.Length != 8L + dims[0])
            throw new DatasetException(path, $"truncated or padded IDX label file: header promises {dims[0]} labels, file has {bytes.Length - 8} bytes of labels");
        return bytes[8..];
    }

    private static byte[] ReadAll(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            var gz = file.Length >= 2 && file.ReadByte() == 0x1f && file.ReadByte() == 0x8b;
            file.Position = 0;
            using Stream source = gz ? new GZipStream(file, CompressionMode.Decompress) : file;
            using var memory = new MemoryStream();
            source.CopyTo(memory);
            return memory.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new DatasetException(path, $"corrupt gzip stream ({e.Message})");
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            throw new DatasetException(path, $"cannot be read ({e.Message})");
        }
    }

    private static int[] Header(string path, byte[] bytes, int expectedType, int expectedDims)
    {
        if (bytes.Length < 4 + 4 * expectedDims)
            throw new DatasetException(path, $"too short for an IDX header ({bytes.Length} bytes)");
        if (bytes[0] != 0 || bytes[1] != 0 || bytes[2] != expectedType || bytes[3] != expectedDims)
            throw new DatasetException(path, $"not an IDX file of {expectedDims} dimension(s) of unsigned bytes: magic is {bytes[0]:x2} {bytes[1]:x2} {bytes[2]:x2} {bytes[3]:x2}, expected 00 00 {expectedType:x2} {expectedDims:x2}");
        var dims = new int[expectedDims];
        for (var i = 0; i < expectedDims; i++)
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * i));
        if (dims.Any(d => d <= 0))
            throw new DatasetException(path, $"IDX header has a non-positive dimension ({string.Join("×", dims)})");
        return dims;
    }
}
