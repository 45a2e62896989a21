using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace GanCluster.Specs.Sweeps;

/// <summary>
/// Reads a sweep's <c>space:</c> (run-spec field paths to domains) and checks every path against the base spec
/// by applying sample values as overrides, the way trials will be made.
/// </summary>
internal static partial class SweepSpaceReader
{
    private const string DomainShapes = "a list of values (a grid axis) or a mapping with one of choice, uniform, loguniform, int";

    /// <summary>Fields a sweep sets itself: a trial's seed comes from <c>seeds</c>, its length from <c>steps_per_trial</c>.</summary>
    private static readonly Dictionary<string, string> Reserved = new(StringComparer.Ordinal)
    {
        ["seed"] = "seeds",
        ["steps"] = "steps_per_trial",
    };

    public static IReadOnlyList<(SweepParameter Parameter, int Line)> Read(YamlNode? space, string file)
    {
        if (space is null)
            return [];
        if (space is not YamlMappingNode mapping)
            throw new SpecException(file, "space", (int)space.Start.Line, "a mapping of run-spec field paths to domains", YamlFields.Describe(space));
        var parameters = new List<(SweepParameter, int)>(mapping.Children.Count);
        foreach (var (keyNode, value) in mapping.Children)
        {
            var line = (int)keyNode.Start.Line;
            var path = (keyNode as YamlScalarNode)?.Value ?? "?";
            var field = "space." + path;
            if (!IsFieldPath(path))
                throw new SpecException(file, field, line, "a run-spec field path such as optimizers.g.lr", $"'{path}'");
            if (Reserved.TryGetValue(path, out var instead))
                throw new SpecException(file, field, line, $"a run-spec field other than '{path}' (the sweep's '{instead}' sets it)", $"'{path}'");
            parameters.Add((new SweepParameter(path, Domain(value, file, field, line)), line));
        }
        return parameters;
    }

    private static ParameterDomain Domain(YamlNode value, string file, string field, int line)
    {
        switch (value)
        {
            case YamlSequenceNode list:
                return new GridDomain(Values(list, file, field));
            case YamlMappingNode mapping:
                return Distribution(new YamlFields(file, field, mapping, YamlFields.NoOrigins), file, field, line);
            default:
                throw new SpecException(file, field, line, DomainShapes, YamlFields.Describe(value));
        }
    }

    private static IReadOnlyList<string> Values(YamlSequenceNode list, string file, string field)
    {
        if (list.Children.Count == 0)
            throw new SpecException(file, field, (int)list.Start.Line, "at least one value", "an empty list");
        var values = new List<string>(list.Children.Count);
        for (var i = 0; i < list.Children.Count; i++)
        {
            var item = list.Children[i];
            if (item is not YamlScalarNode scalar || YamlFields.IsNull(scalar))
                throw new SpecException(file, $"{field}[{i}]", (int)item.Start.Line, "a single value", YamlFields.Describe(item));
            if (values.Contains(scalar.Value!))
                throw new SpecException(file, $"{field}[{i}]", (int)item.Start.Line, "distinct values", $"'{scalar.Value}' again");
            values.Add(scalar.Value!);
        }
        return values;
    }

    private static ParameterDomain Distribution(YamlFields f, string file, string field, int line)
    {
        string[] kinds = ["choice", "uniform", "loguniform", "int"];
        var given = kinds.Where(f.Has).ToArray();
        if (given.Length == 0)
        {
            f.RejectUnknown();
            throw new SpecException(file, field, line, DomainShapes, "an empty mapping");
        }
        if (given.Length > 1)
            throw new SpecException(file, field, line, "exactly one of " + string.Join(", ", kinds), string.Join(" and ", given));
        ParameterDomain domain = given[0] switch
        {
            "choice" => new ChoiceDomain(f.Raw("choice") is YamlSequenceNode list
                ? Values(list, file, field + ".choice")
                : throw f.Error("choice", "a list of values", YamlFields.Describe(f.Raw("choice")!))),
            "int" => Integers(f),
            _ => Reals(f, given[0]),
        };
        f.RejectUnknown();
        return domain;
    }

    private static ParameterDomain Reals(YamlFields f, string kind)
    {
        var bounds = f.Scalars(kind, "a list [low, high] of two numbers");
        if (bounds is not { Count: 2 })
            throw f.Error(kind, "a list [low, high] of two numbers", $"{bounds?.Count ?? 0} value(s)");
        var values = new double[2];
        for (var i = 0; i < 2; i++)
            if (!double.TryParse(bounds[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !double.IsFinite(values[i]))
                throw f.Error($"{kind}[{i}]", "a finite number", $"'{bounds[i]}'");
        var (low, high) = (values[0], values[1]);
        if (low >= high)
            throw f.Error(kind, "[low, high] with low < high", $"[{ParameterDomain.Format(low)}, {ParameterDomain.Format(high)}]");
        if (kind == "loguniform" && low <= 0)
            throw f.Error(kind, "a positive low bound (the domain is uniform in log space)", ParameterDomain.Format(low));
        double? q = null;
        if (f.Has("q"))
        {
            q = f.Double("q", 0, 1e300);
            if (q <= 0)
                throw f.Error("q", "a number > 0 (values are rounded to multiples of it)", ParameterDomain.Format(q.Value));
        }
        return kind == "uniform" ? new UniformDomain(low, high, q) : new LogUniformDomain(low, high, q);
    }

    private static IntDomain Integers(YamlFields f)
    {
        var bounds = f.Scalars("int", "a list [low, high] of two integers");
        if (bounds is not { Count: 2 })
            throw f.Error("int", "a list [low, high] of two integers", $"{bounds?.Count ?? 0} value(s)");
        var values = new long[2];
        for (var i = 0; i < 2; i++)
            if (!long.TryParse(bounds[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out values[i]))
                throw f.Error($"int[{i}]", "an integer", $"'{bounds[i]}'");
        var (low, high) = (values[0], values[1]);
        if (low >= high)
            throw f.Error("int", "[low, high] with low < high", $"[{low}, {high}]");
        long? q = f.Has("q") ? f.Long("q", 1, long.MaxValue) : null;
        if (q is { } step && FirstMultiple(low, step) > high)
            throw f.Error("q", $"a step with a multiple in [{low}, {high}]", ParameterDomain.Format(step));
        return new IntDomain(low, high, q);
    }

    /// <summary>
    /// Applies sample values of every parameter, one at a time, to the base spec as trials will be made
    /// (<c>path=value</c>), and blames a refusal on the parameter's line in the sweep file.
    /// </summary>
    public static void CheckAgainstBase(IEnumerable<(SweepParameter Parameter, int Line)> parameters, string baseYaml, int worldSize, string file)
    {
        foreach (var ((path, domain), line) in parameters)
            foreach (var sample in Samples(domain))
            {
                var assignment = $"{path}={sample}";
                try
                {
                    RunSpecLoader.LoadText(baseYaml, "base", [assignment], worldSize, resolvePaths: false);
                }
                catch (SpecException e)
                {
                    var expected = e.FieldPath == path ? e.Expected : $"{e.Expected} (field '{e.FieldPath}')";
                    throw new SpecException(file, "space." + path, line, expected, $"{e.Found}, with {assignment} on the base spec");
                }
            }
    }

    /// <summary>Every value of a finite domain; a continuous one's bounds and a value inside (not a whole number unless its step makes it one).</summary>
    private static IEnumerable<string> Samples(ParameterDomain domain) => domain switch
    {
        GridDomain g => g.Values,
        ChoiceDomain c => c.Values,
        UniformDomain u => [ParameterDomain.Format(u.Low), ParameterDomain.Format(u.High), ParameterDomain.Format(Inside(u.Low, u.High, u.Quantum))],
        LogUniformDomain l => [ParameterDomain.Format(l.Low), ParameterDomain.Format(l.High), ParameterDomain.Format(Inside(l.Low, l.High, l.Quantum))],
        IntDomain i => [ParameterDomain.Format(i.Quantum is { } q ? FirstMultiple(i.Low, q) : i.Low), ParameterDomain.Format(i.High)],
        _ => throw new ArgumentOutOfRangeException(nameof(domain), domain, "unknown domain"),
    };

    private static double Inside(double low, double high, double? quantum)
    {
        var value = low + 0.381966011250105 * (high - low);
        return quantum is { } q ? Math.Clamp(Math.Round(value / q) * q, low, high) : value;
    }

    /// <summary>The least multiple of <paramref name="step"/> at or above <paramref name="low"/> (C#'s remainder takes the dividend's sign).</summary>
    private static long FirstMultiple(long low, long step)
    {
        var remainder = low % step;
        return remainder == 0 ? low : remainder > 0 ? low - remainder + step : low - remainder;
    }

    /// <summary>The number of values of a finite domain.</summary>
    public static int Count(ParameterDomain domain) => domain switch
    {
        GridDomain g => g.Values.Count,
        ChoiceDomain c => c.Values.Count,
        _ => throw new ArgumentOutOfRangeException(nameof(domain), domain, "a continuous domain has no count"),
    };

    public static bool IsFieldPath(string path) => FieldPath().IsMatch(path);

    [GeneratedRegex(@"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*$")]
    private static partial Regex FieldPath();
}
