using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.FileProviders;

namespace GanCluster.Hosting.Configuration;

/// <summary>Finds which source won for a key, so an error can point at the switch, variable or file to fix.</summary>
internal static class SettingOrigin
{
    public static string Describe(IConfiguration configuration, string key)
    {
        if (configuration is not IConfigurationRoot root)
            return "configuration";
        foreach (var provider in root.Providers.Reverse())
        {
            if (!provider.TryGet(key, out _))
                continue;
            return provider switch
            {
                IDescribesOrigin described => described.DescribeOrigin(key),
                FileConfigurationProvider file => $"file {PathOf(file.Source)}",
                _ => provider.ToString() ?? "configuration",
            };
        }
        return "default";
    }

    private static string PathOf(FileConfigurationSource source) =>
        source.FileProvider is PhysicalFileProvider physical && source.Path is not null
            ? Path.Combine(physical.Root, source.Path)
            : source.Path ?? "?";
}
