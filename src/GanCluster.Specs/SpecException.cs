namespace GanCluster.Specs;

/// <summary>A user mistake in a run spec: names the file, the field path (and line), what was expected and what was found.</summary>
public sealed class SpecException(string file, string fieldPath, int? line, string expected, string found)
    : Exception(Format(file, fieldPath, line, expected, found))
{
    public string File { get; } = file;
    public string FieldPath { get; } = fieldPath;
    public int? Line { get; } = line;
    public string Expected { get; } = expected;
    public string Found { get; } = found;

    private static string Format(string file, string fieldPath, int? line, string expected, string found)
    {
        var where = line is { } l ? $"{file}:{l}" : file;
        return $"{where}: field '{fieldPath}': expected {expected}, found {found}";
    }
}
