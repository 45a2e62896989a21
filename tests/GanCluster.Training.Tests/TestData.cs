using System.Buffers.Binary;
using System.IO.Compression;

namespace GanCluster.Training.Tests;

/// <summary>Writes small datasets in the real on-disk formats, and finds the shared ones when present.</summary>
internal static class TestData
{
    public static string NewDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "gancluster-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>An MNIST-layout IDX pair of <paramref name="count"/> random 28×28 digits, gzipped or raw.</summary>
    public static string WriteIdx(int count, bool gzip, int seed = 1, string? directory = null)
    {
        directory ??= NewDirectory();
        var random = new Random(seed);
        var images = new byte[16 + count * 784];
        BinaryPrimitives.WriteInt32BigEndian(images, 0x00000803);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(8), 28);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(12), 28);
        random.NextBytes(images.AsSpan(16));
        var labels = new byte[8 + count];
        BinaryPrimitives.WriteInt32BigEndian(labels, 0x00000801);
        BinaryPrimitives.WriteInt32BigEndian(labels.AsSpan(4), count);
        for (var i = 0; i < count; i++)
            labels[8 + i] = (byte)(i % 10);
        foreach (var (name, bytes) in new[] { ("train-images-idx3-ubyte", images), ("train-labels-idx1-ubyte", labels), ("t10k-images-idx3-ubyte", images), ("t10k-labels-idx1-ubyte", labels) })
        {
            if (gzip)
            {
                using var file = File.Create(Path.Combine(directory, name + ".gz"));
                using var gz = new GZipStream(file, CompressionLevel.Fastest);
                gz.Write(bytes);
            }
            else
            {
                File.WriteAllBytes(Path.Combine(directory, name), bytes);
            }
        }
        return directory;
    }

    /// <summary>A folder of binary PGM faces in the ORL layout (sN/M.pgm), 92×112.</summary>
    public static string WritePgmFolder(int subjects, int perSubject)
    {
        var directory = NewDirectory();
        var random = new Random(5);
        for (var s = 1; s <= subjects; s++)
        {
            Directory.CreateDirectory(Path.Combine(directory, $"s{s}"));
            for (var m = 1; m <= perSubject; m++)
            {
                var header = System.Text.Encoding.ASCII.GetBytes("P5\n# test face\n92 112\n255\n");
                var pixels = new byte[92 * 112];
                random.NextBytes(pixels);
                File.WriteAllBytes(Path.Combine(directory, $"s{s}", $"{m}.pgm"), [.. header, .. pixels]);
            }
        }
        return directory;
    }

    /// <summary>The repository's ../shared/data folder, or null (tests that need it say so loudly and skip).</summary>
    public static string? Shared(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "..", "shared", "data", relative);
            if (Directory.Exists(candidate))
                return Path.GetFullPath(candidate);
        }
        return null;
    }

    public static string RequireShared(string relative)
    {
        var path = Shared(relative);
        if (path is null)
            Assert.Skip($"SKIPPED LOUDLY: ../shared/data/{relative} is absent, so this real-data test cannot run here.");
        return path!;
    }
}
