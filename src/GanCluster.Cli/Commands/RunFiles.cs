using GanCluster.Contracts.Control;

namespace GanCluster.Cli.Commands;

/// <summary>Where a run's files are on a local cluster's shared store: <c>STORE/RUN_ID</c>, where its workers write them.</summary>
internal static class RunFiles
{
    /// <summary>
    /// The run's folder: the one its newest checkpoint is in, or, before the first checkpoint, the store's folder for the
    /// run. Sample grids and metrics come from step one on, so they exist before any checkpoint names the folder.
    /// </summary>
    public static string Directory(Run run, string store) =>
        run.Checkpoint is { Path.Length: > 0 } checkpoint
            ? Path.GetDirectoryName(Path.GetDirectoryName(checkpoint.Path))!
            : Path.Combine(store, run.Id);

    public static string? NewestSamples(Run run, string store)
    {
        var samples = Path.Combine(Directory(run, store), "samples");
        return System.IO.Directory.Exists(samples)
            ? System.IO.Directory.GetFiles(samples, "step-*.png").OrderBy(f => f, StringComparer.Ordinal).LastOrDefault()
            : null;
    }
}
