using Microsoft.Extensions.Configuration;

namespace GanCluster.Hosting.Configuration;

/// <summary>Serves an already parsed command line, so parsing errors surface before any host is built.</summary>
internal sealed class CommandLineSource(ParsedCommandLine commandLine) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new CommandLineProvider(commandLine);

    private sealed class CommandLineProvider(ParsedCommandLine commandLine) : ConfigurationProvider, IDescribesOrigin
    {
        public override void Load() => Data = new Dictionary<string, string?>(
            commandLine.Values.Select(p => KeyValuePair.Create(p.Key, (string?)p.Value)), StringComparer.OrdinalIgnoreCase);

        public string DescribeOrigin(string key) => $"command line {commandLine.SwitchOf(key)}";
    }
}
