using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace GanCluster.Hosting.Settings;

/// <summary>Binds and checks an options section, turning binder and validation failures into one line per bad setting.</summary>
public static partial class SettingsBinder
{
    /// <summary>Binds <paramref name="section"/> onto <paramref name="options"/>; a value the binder cannot convert becomes a <see cref="SettingsException"/>.</summary>
    public static void Bind(IConfiguration configuration, string section, object options)
    {
        try
        {
            configuration.GetSection(section).Bind(options);
        }
        catch (InvalidOperationException e) when (ConversionFailure().Match(e.Message) is { Success: true } failure)
        {
            var key = failure.Groups["key"].Value;
            var problem = $"must be {Expected(failure.Groups["type"].Value)}";
            throw new SettingsException(SettingsProblem.Line(configuration, key, problem, SettingsProblem.Render(null, configuration[key])));
        }
    }

    /// <summary>Binds and validates now, for settings a host needs before it is built (its listen ports).</summary>
    public static TOptions Load<TOptions>(IConfiguration configuration, string section) where TOptions : class, new()
    {
        var options = new TOptions();
        Bind(configuration, section, options);
        var problems = Problems(configuration, section, options).ToList();
        if (problems.Count > 0)
            throw new OptionsValidationException(Options.DefaultName, typeof(TOptions), problems);
        return options;
    }

    /// <summary>Runs the DataAnnotations on each property (first failure only) and <see cref="IValidatableObject"/>.</summary>
    public static IEnumerable<string> Problems(IConfiguration configuration, string section, object options)
    {
        var properties = options.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.GetIndexParameters().Length == 0).ToList();
        foreach (var property in properties)
        {
            var value = property.GetValue(options);
            var context = new ValidationContext(options) { MemberName = property.Name, DisplayName = property.Name };
            foreach (var attribute in property.GetCustomAttributes<ValidationAttribute>())
            {
                if (attribute.GetValidationResult(value, context) is not { } failure)
                    continue;
                yield return SettingsProblem.Line(configuration, Key(section, property.Name), Describe(attribute, failure), SettingsProblem.Render(property, value));
                break;
            }
        }
        if (options is not IValidatableObject validatable)
            yield break;
        foreach (var failure in validatable.Validate(new ValidationContext(options)))
        {
            foreach (var member in failure.MemberNames.DefaultIfEmpty(""))
            {
                var property = properties.FirstOrDefault(p => p.Name == member);
                yield return SettingsProblem.Line(configuration, Key(section, member), failure.ErrorMessage ?? "is invalid", SettingsProblem.Render(property, property?.GetValue(options)));
            }
        }
    }

    private static string Key(string section, string member) => member.Length == 0 ? section : ConfigurationPath.Combine(section, member);

    private static string Describe(ValidationAttribute attribute, ValidationResult failure) => attribute switch
    {
        { ErrorMessage: { } phrased } => phrased,
        RangeAttribute range when IsUnbounded(range.Maximum) => $"must be at least {Invariant(range.Minimum)}",
        RangeAttribute range when IsUnbounded(range.Minimum) => $"must be at most {Invariant(range.Maximum)}",
        RangeAttribute range => $"must be between {Invariant(range.Minimum)} and {Invariant(range.Maximum)}",
        RequiredAttribute => "is required",
        _ => failure.ErrorMessage ?? "is invalid",
    };

    private static bool IsUnbounded(object bound) => bound is int.MaxValue or int.MinValue or double.MaxValue or double.MinValue
        or double.PositiveInfinity or double.NegativeInfinity or long.MaxValue or long.MinValue;

    private static string Invariant(object value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";

    private static string Expected(string typeName) => typeName switch
    {
        "System.Int32" or "System.Int64" or "System.Int16" or "System.UInt16" or "System.UInt32" or "System.UInt64" or "System.Byte" => "a whole number",
        "System.Double" or "System.Single" or "System.Decimal" => "a number",
        "System.Boolean" => "true or false",
        "System.TimeSpan" => "a duration such as 00:00:30",
        _ => EnumNames(typeName) ?? $"a {typeName[(typeName.LastIndexOf('.') + 1)..]}",
    };

    /// <summary>"one of A, B" for an enum the binder could not parse (found among the loaded assemblies by its full name).</summary>
    private static string? EnumNames(string typeName) =>
        AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(typeName)).FirstOrDefault(t => t is { IsEnum: true }) is { } type
            ? "one of " + string.Join(", ", Enum.GetNames(type))
            : null;

    [GeneratedRegex(@"at '(?<key>[^']+)' to type '(?<type>[^']+)'")]
    private static partial Regex ConversionFailure();
}
