using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace GanCluster.Specs;

/// <summary>
/// Typed, path-aware reads from one YAML mapping. Every read records its key so that
/// <see cref="RejectUnknown"/> can refuse fields the spec does not define. An error in a value that an override put
/// there (<paramref name="origins"/>) names the override; any other names its line in the file.
/// </summary>
internal sealed class YamlFields(string file, string path, YamlMappingNode? node, IReadOnlyDictionary<YamlNode, string> origins)
{
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    /// <summary>For a mapping no override touched. Keyed by reference, as the run spec loader's origins are: nodes compared by value could walk whole aliased trees.</summary>
    public static readonly IReadOnlyDictionary<YamlNode, string> NoOrigins = new Dictionary<YamlNode, string>(ReferenceEqualityComparer.Instance);

    public string File => file;

    /// <summary>An error in the field <paramref name="key"/> of this mapping, or in a dotted path below it (<c>dataset.image_size</c>).</summary>
    public SpecException Error(string key, string expected, string found)
    {
        var (mapping, keyNode, value) = Locate(key);
        return Blame(Join(key), mapping, keyNode, value, expected, found);
    }

    /// <summary>Names the override that put <paramref name="value"/> (or, where it is absent, its mapping) there, or else its line in the file.</summary>
    private SpecException Blame(string field, YamlMappingNode? mapping, YamlNode? key, YamlNode? value, string expected, string found)
    {
        if ((value ?? mapping) is { } blamed && origins.TryGetValue(blamed, out var assignment))
            return new SpecException(file, field, null, expected, found, assignment);
        return new SpecException(file, field, (int?)(key ?? mapping)?.Start.Line, expected, found);
    }

    public YamlFields Section(string key)
    {
        _known.Add(key);
        var child = Find(key);
        return child switch
        {
            null => new YamlFields(file, Join(key), null, origins),
            YamlMappingNode m => new YamlFields(file, Join(key), m, origins),
            YamlScalarNode s when IsNull(s) => new YamlFields(file, Join(key), null, origins),
            _ => throw Error(key, "a mapping", Describe(child)),
        };
    }

    public bool Has(string key)
    {
        _known.Add(key);
        return Find(key) is { } n && !(n is YamlScalarNode s && IsNull(s));
    }

    public string String(string key, string? fallback = null)
    {
        var scalar = Scalar(key, "a string");
        if (scalar is null)
            return fallback ?? throw Error(key, "a string", "nothing (the field is required)");
        return scalar.Value!;
    }

    public string? OptionalString(string key) => Scalar(key, "a string")?.Value;

    public string Choice(string key, IReadOnlyCollection<string> choices, string? fallback = null)
    {
        var value = String(key, fallback);
        if (!choices.Contains(value))
            throw Error(key, "one of " + string.Join(", ", choices), $"'{value}'");
        return value;
    }

    /// <summary>A kind named by <see cref="SpecName"/>; the error lists every name.</summary>
    public TKind Kind<TKind>(string key) where TKind : struct, Enum => Kind<TKind>(key, null);

    /// <summary>A kind with a default when the field is absent.</summary>
    public TKind Kind<TKind>(string key, TKind fallback) where TKind : struct, Enum => Kind<TKind>(key, SpecName.Of(fallback));

    private TKind Kind<TKind>(string key, string? fallback) where TKind : struct, Enum
    {
        var value = String(key, fallback);
        if (!SpecName.TryParse<TKind>(value, out var kind))
            throw Error(key, "one of " + string.Join(", ", SpecName.All<TKind>()), $"'{value}'");
        return kind;
    }

    public long Long(string key, long min, long max, long? fallback = null)
    {
        var scalar = Scalar(key, "an integer");
        if (scalar is null)
            return fallback ?? throw Error(key, $"an integer in [{min}, {max}]", "nothing (the field is required)");
        if (!long.TryParse(scalar.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            throw Error(key, "an integer", $"'{scalar.Value}'");
        if (value < min || value > max)
            throw Error(key, $"an integer in [{min}, {max}]", value.ToString(CultureInfo.InvariantCulture));
        return value;
    }

    public int Int(string key, int min, int max, int? fallback = null) => (int)Long(key, min, max, fallback);

    public int? OptionalInt(string key, int min, int max) => Has(key) ? Int(key, min, max) : null;

    public double Double(string key, double min, double max, double? fallback = null)
    {
        var scalar = Scalar(key, "a number");
        if (scalar is null)
            return fallback ?? throw Error(key, $"a number in [{min}, {max}]", "nothing (the field is required)");
        if (!double.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            throw Error(key, "a number", $"'{scalar.Value}'");
        if (value < min || value > max)
            throw Error(key, $"a number in [{min}, {max}]", value.ToString(CultureInfo.InvariantCulture));
        return value;
    }

    public (double, double) Pair(string key, double min, double max, (double, double) fallback)
    {
        _known.Add(key);
        var node = Find(key);
        if (node is null || node is YamlScalarNode s0 && IsNull(s0))
            return fallback;
        if (node is not YamlSequenceNode seq || seq.Children.Count != 2)
            throw Error(key, $"a list of two numbers in [{min}, {max}]", Describe(node));
        var values = new double[2];
        for (var i = 0; i < 2; i++)
        {
            if (seq.Children[i] is not YamlScalarNode item
                || !double.TryParse(item.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out values[i])
                || !double.IsFinite(values[i]) // NaN passes both comparisons below
                || values[i] < min || values[i] > max)
                throw Error($"{key}[{i}]", $"a number in [{min}, {max}]", Describe(seq.Children[i]));
        }
        return (values[0], values[1]);
    }

    public bool Bool(string key, bool fallback)
    {
        var scalar = Scalar(key, "true or false");
        return scalar?.Value switch
        {
            null => fallback,
            "true" => true,
            "false" => false,
            _ => throw Error(key, "true or false", $"'{scalar.Value}'"),
        };
    }

    /// <summary>The field's node as written (null when absent or null), for fields that take more than one shape.</summary>
    public YamlNode? Raw(string key)
    {
        _known.Add(key);
        var child = Find(key);
        return child is YamlScalarNode s && IsNull(s) ? null : child;
    }

    /// <summary>A list of scalars as written (null when absent); a non-list, or an item that is not a scalar, is refused as not <paramref name="expected"/>.</summary>
    public IReadOnlyList<string>? Scalars(string key, string expected)
    {
        var child = Raw(key);
        if (child is null)
            return null;
        if (child is not YamlSequenceNode seq)
            throw Error(key, expected, Describe(child));
        var values = new List<string>(seq.Children.Count);
        for (var i = 0; i < seq.Children.Count; i++)
            values.Add(seq.Children[i] is YamlScalarNode item && !IsNull(item) ? item.Value! : throw Error($"{key}[{i}]", "a single value", Describe(seq.Children[i])));
        return values;
    }

    /// <summary>Refuses every key of this mapping that no read asked for.</summary>
    public void RejectUnknown()
    {
        if (node is null)
            return;
        foreach (var (key, value) in node.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? "?";
            if (!_known.Contains(name))
                throw Blame(Join(name), node, key, value, "one of the known fields " + string.Join(", ", _known.Order()), $"unknown field '{name}'");
        }
    }

    private YamlScalarNode? Scalar(string key, string expected)
    {
        _known.Add(key);
        var child = Find(key);
        if (child is null)
            return null;
        if (child is not YamlScalarNode scalar)
            throw Error(key, expected, Describe(child));
        return IsNull(scalar) ? null : scalar;
    }

    private YamlNode? Find(string key)
    {
        if (node is null)
            return null;
        foreach (var (k, v) in node.Children)
            if (k is YamlScalarNode s && s.Value == key)
                return v;
        return null;
    }

    /// <summary>Follows a dotted path (an item index such as <c>betas[1]</c> stops at its list) down the mappings: the deepest mapping reached, and the key and value found there (null where the path ends early).</summary>
    private (YamlMappingNode? Mapping, YamlNode? Key, YamlNode? Value) Locate(string dotted)
    {
        var mapping = node;
        var keys = dotted.Split('[')[0].Split('.');
        for (var i = 0; mapping is not null; i++)
        {
            var (key, value) = mapping.Children.FirstOrDefault(c => c.Key is YamlScalarNode s && s.Value == keys[i]);
            if (key is null || i == keys.Length - 1)
                return (mapping, key, value);
            if (value is not YamlMappingNode child)
                return (mapping, key, value);
            mapping = child;
        }
        return (null, null, null);
    }

    private string Join(string key) => path.Length == 0 ? key : $"{path}.{key}";

    internal static bool IsNull(YamlScalarNode s) =>
        s.Style == YamlDotNet.Core.ScalarStyle.Plain && (s.Value is null or "" or "~" or "null");

    internal static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode s => $"'{s.Value}'",
        _ => node.NodeType.ToString(),
    };
}
