using System.Text;

namespace GanCluster.Specs;

/// <summary>
/// The one rule that names spec kinds in YAML: an enum member in lower case, with a hyphen before each inner
/// capital (<c>NonSaturating</c> is <c>non-saturating</c>, <c>Dcgan28</c> is <c>dcgan28</c>).
/// </summary>
public static class SpecName
{
    public static string Of<TKind>(TKind kind) where TKind : struct, Enum => Names<TKind>.ByValue[kind];

    /// <summary>The name of any enum member by the same rule, for callers that hold a value of no static type.</summary>
    public static string Of(Enum value) => Render(value.ToString());

    /// <summary>Every name of the kind, in declaration order (for error messages and help).</summary>
    public static IReadOnlyList<string> All<TKind>() where TKind : struct, Enum => Names<TKind>.Ordered;

    public static bool TryParse<TKind>(string name, out TKind kind) where TKind : struct, Enum => Names<TKind>.ByName.TryGetValue(name, out kind);

    private static string Render(string member)
    {
        var name = new StringBuilder(member.Length + 4);
        for (var i = 0; i < member.Length; i++)
        {
            if (i > 0 && char.IsUpper(member[i]))
                name.Append('-');
            name.Append(char.ToLowerInvariant(member[i]));
        }
        return name.ToString();
    }

    private static class Names<TKind> where TKind : struct, Enum
    {
        public static readonly IReadOnlyList<string> Ordered = Enum.GetValues<TKind>().Select(k => Render(k.ToString())).ToArray();
        public static readonly Dictionary<TKind, string> ByValue = Enum.GetValues<TKind>().ToDictionary(k => k, k => Render(k.ToString()));
        public static readonly Dictionary<string, TKind> ByName = ByValue.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);
    }
}
