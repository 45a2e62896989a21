using GanCluster.Specs;
using GanCluster.Training.Data;
using StbImageWriteSharp;

namespace GanCluster.Training.Tests;

/// <summary>A corrupt image in an image folder is one readable line that names the file, whatever the decoder said.</summary>
public sealed class CorruptImageTests
{
    /// <summary>Image files that start like the real thing and then break: a PNG cut off inside its data, a JPEG whose body is garbage.</summary>
    public static TheoryData<string> Corruptions => ["truncated.png", "garbage.jpg", "header-only.png", "empty.jpeg"];

    private static byte[] Corrupt(string name)
    {
        var rgb = new byte[32 * 32 * 3];
        new Random(1).NextBytes(rgb);
        using var encoded = new MemoryStream();
        if (name.EndsWith(".png", StringComparison.Ordinal))
            new ImageWriter().WritePng(rgb, 32, 32, ColorComponents.RedGreenBlue, encoded);
        else
            new ImageWriter().WriteJpg(rgb, 32, 32, ColorComponents.RedGreenBlue, encoded, 90);
        var bytes = encoded.ToArray();
        return name switch
        {
            "truncated.png" => bytes[..(bytes.Length / 2)],
            "header-only.png" => bytes[..33],
            "garbage.jpg" => [.. bytes[..20], .. new byte[200]],
            _ => [],
        };
    }

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void The_error_is_one_printable_line_naming_the_file(string name)
    {
        var dir = TestData.NewDirectory();
        var path = Path.Combine(dir, name);
        File.WriteAllBytes(path, Corrupt(name));
        var e = Assert.Throws<DatasetException>(() => DatasetFactory.Open(new DatasetSpec(DatasetKind.Images, dir, "train", 16, 3, null), 1));
        Assert.Equal(path, e.Path);
        Assert.StartsWith($"{path}: not a decodable image", e.Message);
        Assert.False(e.Message.Any(char.IsControl), $"control characters in: {e.Message.Replace("\0", "\\0", StringComparison.Ordinal)}");
        Assert.DoesNotContain("()", e.Message, StringComparison.Ordinal);
    }
}
