using Microsoft.Extensions.Configuration;

namespace GanCluster.Hosting.Configuration;

/// <summary><c>GANCLUSTER_</c> variables from a given environment, so tests can pass one instead of mutating the process's.</summary>
internal sealed class PrefixedEnvironmentSource(IReadOnlyDictionary<string, string?> environment) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new PrefixedEnvironmentProvider(environment);

    private sealed class PrefixedEnvironmentProvider(IReadOnlyDictionary<string, string?> environment) : ConfigurationProvider, IDescribesOrigin
    {
        private readonly Dictionary<string, string> _variableOfKey = new(StringComparer.OrdinalIgnoreCase);

        public override void Load()
        {
            var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            _variableOfKey.Clear();
            foreach (var (variable, value) in environment)
            {
                if (!variable.StartsWith(GanClusterSources.EnvironmentPrefix, StringComparison.OrdinalIgnoreCase)
                    || string.Equals(variable, GanClusterSources.ConfigFileVariable, StringComparison.OrdinalIgnoreCase))
                    continue;
                var key = variable[GanClusterSources.EnvironmentPrefix.Length..].Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal);
                data[key] = value;
                _variableOfKey[key] = variable;
            }
            Data = data;
        }

        public string DescribeOrigin(string key) =>
            $"environment {(_variableOfKey.TryGetValue(key, out var variable) ? variable : key)}";
    }
}
