namespace GanCluster.Cli.Cluster;

/// <summary>The <c>dotnet</c> host that runs the silo and worker programs: the one running this CLI, when it is one.</summary>
internal static class DotnetHost
{
    public static string Path => Environment.ProcessPath is { } self && System.IO.Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
}
