namespace GanCluster.Cli.Cluster;

/// <summary>
/// Where the silo and worker programs are. The CLI does not reference them (executables are not libraries), so it
/// looks for them: <c>$GANCLUSTER_BIN_DIR</c>, next to this program (a published bundle), or in a source
/// checkout's Release build outputs.
/// </summary>
internal static class ClusterBinaries
{
    public const string SiloDll = "GanCluster.Silo.dll";
    public const string WorkerDll = "GanCluster.Worker.dll";

    public static (string Silo, string Worker) Locate()
    {
        string? Find(string dll)
        {
            var project = Path.GetFileNameWithoutExtension(dll);
            if (Environment.GetEnvironmentVariable("GANCLUSTER_BIN_DIR") is { } dir && File.Exists(Path.Combine(dir, dll)))
                return Path.Combine(dir, dll);
            if (File.Exists(Path.Combine(AppContext.BaseDirectory, dll)))
                return Path.Combine(AppContext.BaseDirectory, dll);
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            {
                var candidate = Path.Combine(d.FullName, "src", project, "bin", "Release", "net10.0", dll);
                if (File.Exists(candidate))
                    return candidate;
            }
            return null;
        }
        return (Find(SiloDll) ?? throw Missing(SiloDll), Find(WorkerDll) ?? throw Missing(WorkerDll));
    }

    private static UsageException Missing(string dll) =>
        new($"{dll} not found (looked in $GANCLUSTER_BIN_DIR, next to gancluster, and in src/{Path.GetFileNameWithoutExtension(dll)}/bin/Release/net10.0): build it with `dotnet build -c Release GanCluster.sln`");
}
