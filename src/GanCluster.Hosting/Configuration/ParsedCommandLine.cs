using GanCluster.Hosting.Settings;

namespace GanCluster.Hosting.Configuration;

/// <summary>The command line read against one program's switches; anything else is refused rather than silently ignored.</summary>
internal sealed class ParsedCommandLine
{
    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _switchOfKey = new(StringComparer.OrdinalIgnoreCase);

    private ParsedCommandLine() { }

    /// <summary>The file named by <c>--config</c>, if any.</summary>
    public string? ConfigFile { get; private set; }

    public IReadOnlyDictionary<string, string> Values => _values;

    /// <summary>The switch as the user typed it, for error messages.</summary>
    public string SwitchOf(string key) => _switchOfKey.TryGetValue(key, out var name) ? name : "--" + key;

    /// <summary>
    /// Reads <c>--switch value</c>, <c>--switch=value</c> and the full-key form <c>--Section:Key value</c>. A switch
    /// mapped to <c>Section:Key:*</c> may be repeated: its values are the list <c>Section:Key:0</c>, <c>:1</c>, ….
    /// </summary>
    public static ParsedCommandLine Parse(IReadOnlyList<string> args, IReadOnlyDictionary<string, string> switchMappings)
    {
        var switches = new Dictionary<string, string>(switchMappings, StringComparer.OrdinalIgnoreCase);
        var parsed = new ParsedCommandLine();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
                throw new SettingsException($"unexpected argument '{arg}' (settings are given as --switch value)");
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? arg : arg[..equals];
            string value;
            if (equals >= 0)
                value = arg[(equals + 1)..];
            else if (i + 1 < args.Count)
                value = args[++i];
            else
                throw new SettingsException($"switch {name} needs a value");

            if (string.Equals(name, GanClusterSources.ConfigFileSwitch, StringComparison.OrdinalIgnoreCase))
                parsed.ConfigFile = value;
            else if (switches.TryGetValue(name, out var key) || TryFullKey(name, out key))
            {
                // A list setting ("Section:Key:*"): each occurrence of the switch is the list's next item.
                if (key.EndsWith(":*", StringComparison.Ordinal))
                    key = $"{key[..^1]}{parsed._values.Keys.Count(k => k.StartsWith(key[..^1], StringComparison.OrdinalIgnoreCase))}";
                parsed._values[key] = value;
                parsed._switchOfKey[key] = name;
            }
            else
                throw new SettingsException($"unknown switch {name} (known: {string.Join(", ", switches.Keys.Append(GanClusterSources.ConfigFileSwitch).Order(StringComparer.Ordinal))}, or --Section:Key)");
        }
        return parsed;
    }

    private static bool TryFullKey(string name, out string key)
    {
        key = name[2..];
        return key.Contains(':', StringComparison.Ordinal);
    }
}
