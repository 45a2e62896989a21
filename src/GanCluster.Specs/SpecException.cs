namespace GanCluster.Specs;

/// <summary>
/// A user mistake in a run spec: names the file, the field path (and line), what was expected and what was found.
/// A value that came from an override (<c>--set PATH=VALUE</c>, <c>--steps</c>, …) names that override instead of a line.
/// </summary>
public sealed class SpecException(string file, string fieldPath, int? line, string expected, string found, string? @override = null)
    : Exception(Format(file, fieldPath, line, expected, found, @override))
{
    public string File { get; } = file;
    public string FieldPath { get; } = fieldPath;
    public int? Line { get; } = line;
    public string Expected { get; } = expected;
    public string Found { get; } = found;

    /// <summary>The override (<c>PATH=VALUE</c>) the faulty value came from, when it was not the spec file's.</summary>
    public string? Override { get; } = @override;

    private static string Format(string file, string fieldPath, int? line, string expected, string found, string? @override)
    {
        var where = @override is not null ? $"override '{@override}'" : line is { } l ? $"{file}:{l}" : file;
        return $"{where}: field '{fieldPath}': expected {expected}, found {found}";
    }
}
