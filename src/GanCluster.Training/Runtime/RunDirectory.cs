using System.Globalization;

namespace GanCluster.Training.Runtime;

/// <summary>Where a run leaves its files: spec.yaml, metrics.jsonl, checkpoints/step-N.gck and samples/step-N.png.</summary>
public sealed class RunDirectory(string root)
{
    public string Root { get; } = Path.GetFullPath(root);
    public string SpecFile => Path.Combine(Root, "spec.yaml");
    public string MetricsFile => Path.Combine(Root, "metrics.jsonl");
    public string CheckpointsFolder => Path.Combine(Root, "checkpoints");
    public string SamplesFolder => Path.Combine(Root, "samples");

    public string CheckpointFor(long step) => Path.Combine(CheckpointsFolder, $"step-{step.ToString("D8", CultureInfo.InvariantCulture)}.gck");
    public string SamplesFor(long step) => Path.Combine(SamplesFolder, $"step-{step.ToString("D8", CultureInfo.InvariantCulture)}.png");

    public IReadOnlyList<string> Checkpoints() =>
        Directory.Exists(CheckpointsFolder)
            ? Directory.GetFiles(CheckpointsFolder, "step-*.gck").Order(StringComparer.Ordinal).ToList()
            : [];

    /// <summary>Whether a run has left its results here (metrics, checkpoints or sample grids): another run would mix with them.</summary>
    public bool HoldsRun =>
        File.Exists(MetricsFile) || Checkpoints().Count > 0 || (Directory.Exists(SamplesFolder) && Directory.EnumerateFiles(SamplesFolder, "step-*.png").Any());

    /// <summary>Deletes the run that is here (metrics, checkpoints, sample grids, and the rank logs of a data-parallel launch), so another starts over; other files stay.</summary>
    public void StartOver()
    {
        File.Delete(MetricsFile);
        foreach (var folder in new[] { CheckpointsFolder, SamplesFolder })
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        if (!Directory.Exists(Root))
            return;
        foreach (var launched in Directory.GetFiles(Root, "rank-*.log").Append(Path.Combine(Root, "ranks.json")))
            File.Delete(launched);
    }

    /// <summary>Deletes all but the newest <paramref name="keep"/> checkpoints.</summary>
    public void PruneCheckpoints(int keep)
    {
        var all = Checkpoints();
        foreach (var old in all.Take(Math.Max(0, all.Count - keep)))
            File.Delete(old);
    }
}
