using System.Text.RegularExpressions;

namespace GanCluster.Contracts;

/// <summary>
/// The one rule for run and sweep ids: they name grains and folders in the checkpoint store, so they are lower-case
/// letters, digits and '-', start with a letter or digit, and are at most 128 characters: no separators, no dots,
/// nothing a path could be built from.
/// </summary>
public static partial class ResourceId
{
    public const int MaxLength = 128;

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();

    /// <summary>Why <paramref name="id"/> is not a valid id, or null when it is.</summary>
    public static string? Problem(string? id) => id switch
    {
        null or "" => "is required",
        { Length: > MaxLength } => $"is {id.Length} characters long; at most {MaxLength} are allowed",
        _ when !Shape().IsMatch(id) => $"'{Printable(id)}' is not an id: only lower-case letters, digits and '-' are allowed, starting with a letter or digit",
        _ => null,
    };

    /// <summary>Returns <paramref name="id"/>, or throws <see cref="ArgumentException"/> naming <paramref name="what"/>.</summary>
    public static string Require(string? id, string what) =>
        Problem(id) is { } problem ? throw new ArgumentException($"{what} {problem}") : id!;

    private static string Printable(string id)
    {
        var shown = new string(id.Take(64).Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return id.Length > 64 ? shown + "…" : shown;
    }
}
