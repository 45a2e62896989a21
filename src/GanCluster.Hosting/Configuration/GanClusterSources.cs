using GanCluster.Hosting.Settings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;

namespace GanCluster.Hosting.Configuration;

/// <summary>Where a GanCluster host reads its settings: a JSON file, then <c>GANCLUSTER_</c> variables, then the command line.</summary>
public static class GanClusterSources
{
    public const string EnvironmentPrefix = "GANCLUSTER_";
    public const string ConfigFileVariable = "GANCLUSTER_CONFIG";
    public const string ConfigFileSwitch = "--config";

    /// <summary>
    /// Replaces the builder's sources (the ASP.NET defaults read unprefixed variables and any switch) with ours.
    /// <paramref name="switchMappings"/> maps a program's switches to keys, e.g. <c>--threads</c> to <c>Worker:Threads</c>;
    /// <paramref name="environment"/> defaults to the process environment.
    /// </summary>
    /// <exception cref="SettingsException">an unknown switch, a switch without a value, or a missing or malformed config file.</exception>
    public static IConfigurationBuilder UseGanClusterSources(
        this IConfigurationBuilder configuration,
        IReadOnlyList<string> args,
        IReadOnlyDictionary<string, string> switchMappings,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        environment ??= ProcessEnvironment();
        var commandLine = ParsedCommandLine.Parse(args, switchMappings);
        configuration.Sources.Clear();
        if (commandLine.ConfigFile is { } fromSwitch)
            AddConfigFile(configuration, fromSwitch, $"command line {ConfigFileSwitch}");
        else if (environment.GetValueOrDefault(ConfigFileVariable) is { Length: > 0 } fromVariable)
            AddConfigFile(configuration, fromVariable, $"environment {ConfigFileVariable}");
        configuration.Add(new PrefixedEnvironmentSource(environment));
        configuration.Add(new CommandLineSource(commandLine));
        return configuration;
    }

    private static void AddConfigFile(IConfigurationBuilder configuration, string file, string origin)
    {
        var path = Path.GetFullPath(file);
        if (!File.Exists(path))
            throw new SettingsException($"config file {path} not found ({origin})");
        try
        {
            // A ConfigurationManager loads on Add, so a malformed file is reported here, with its name.
            configuration.Add(new JsonConfigurationSource
            {
                FileProvider = new PhysicalFileProvider(Path.GetDirectoryName(path)!),
                Path = Path.GetFileName(path),
                Optional = false,
                ReloadOnChange = false,
            });
        }
        catch (InvalidDataException e)
        {
            throw new SettingsException($"config file {path} is not valid JSON: {e.InnerException?.Message ?? e.Message} ({origin})");
        }
    }

    private static Dictionary<string, string?> ProcessEnvironment() =>
        Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal);
}
