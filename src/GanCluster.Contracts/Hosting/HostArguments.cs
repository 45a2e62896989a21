using System.Globalization;

namespace GanCluster.Contracts.Hosting;

/// <summary>
/// The <c>--name value</c> command lines of the silo and the worker programs: unknown names and malformed values
/// are refused with the program's usage line, and both read the shared PostgreSQL store the same way.
/// </summary>
public sealed class HostArguments
{
    private readonly Dictionary<string, string> _values;
    private readonly string _usage;

    private HostArguments(Dictionary<string, string> values, string usage) => (_values, _usage) = (values, usage);

    public static HostArguments Parse(string[] args, string usage, params string[] known)
    {
        var values = new Dictionary<string, string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new ArgumentException($"unexpected argument '{args[i]}'\n{usage}");
            values[args[i]] = args[++i];
        }
        if (values.Keys.FirstOrDefault(k => !known.Contains(k)) is { } unknown)
            throw new ArgumentException($"unknown option '{unknown}'\n{usage}");
        return new HostArguments(values, usage);
    }

    public bool Has(string name) => _values.ContainsKey(name);

    public string Get(string name, string fallback) => _values.GetValueOrDefault(name, fallback);

    public string Require(string name) => _values.TryGetValue(name, out var v) ? v : throw new ArgumentException($"{name} is required\n{_usage}");

    public int Int(string name, int fallback) => _values.TryGetValue(name, out var v)
        ? int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new ArgumentException($"{name} must be a number, found '{v}'")
        : fallback;

    public int Port(string name, int fallback) => _values.TryGetValue(name, out var v)
        ? int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is > 0 and < 65536 ? p : throw new ArgumentException($"{name} must be a port number, found '{v}'")
        : fallback;

    /// <summary>The shared store from <c>--postgres-file FILE [--cluster-id ID]</c>, or null for the embedded silo.</summary>
    public PostgresStore? Postgres()
    {
        if (!_values.TryGetValue("--postgres-file", out var file))
            return Has("--cluster-id") ? throw new ArgumentException("--cluster-id needs --postgres-file (the embedded silo is a cluster of one)") : null;
        return PostgresStore.FromFile(file, Get("--cluster-id", PostgresStore.DefaultClusterId));
    }
}
