using System.Text;

namespace GanCluster.Training.Data;

/// <summary>A dataset file or folder that is missing or malformed: names the path and what was wrong, on one readable line.</summary>
public sealed class DatasetException(string path, string problem) : Exception($"{path}: {Readable(problem)}")
{
    public string Path { get; } = path;

    /// <summary>
    /// <paramref name="text"/> as one printable line: line breaks and tabs become spaces, other control characters
    /// (a decoder's unused NUL-filled reason buffer) are dropped, and runs of spaces collapse.
    /// </summary>
    public static string Readable(string text)
    {
        var line = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            var printable = char.IsWhiteSpace(c) ? ' ' : c;
            if (char.IsControl(printable) || (printable == ' ' && (line.Length == 0 || line[^1] == ' ')))
                continue;
            line.Append(printable);
        }
        return line.ToString().TrimEnd();
    }
}
