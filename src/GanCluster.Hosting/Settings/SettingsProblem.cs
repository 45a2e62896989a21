using System.Globalization;
using System.Reflection;
using GanCluster.Hosting.Configuration;
using Microsoft.Extensions.Configuration;

namespace GanCluster.Hosting.Settings;

/// <summary>The one wording of a bad setting: <c>Worker:Threads must be at least 1, found 0 (command line --threads)</c>.</summary>
internal static class SettingsProblem
{
    public const string Masked = "***";

    public static string Line(IConfiguration configuration, string key, string problem, string found) =>
        $"{key} {problem}, found {found} ({SettingOrigin.Describe(configuration, key)})";

    /// <summary>How a property's value is shown to a user: quoted text, invariant numbers, secrets masked.</summary>
    public static string Render(PropertyInfo? property, object? value) => value switch
    {
        _ when property?.GetCustomAttribute<SecretAttribute>() is not null => Masked,
        null => "nothing",
        string text => $"'{text}'",
        bool flag => flag ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "nothing",
    };
}
