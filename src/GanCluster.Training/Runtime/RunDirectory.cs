using System.Globalization;
using System.Text.Json;

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

    /// <summary>
    /// Keeps the metrics records up to <paramref name="step"/>, where a resumed run continues: later ones, and a line torn
    /// by a crash, came from an attempt that did not reach its next checkpoint. The file is replaced atomically.
    /// </summary>
    public void DropMetricsAfter(long step)
    {
        if (!File.Exists(MetricsFile))
            return;
        var lines = File.ReadAllLines(MetricsFile);
        var kept = lines.Where(line => StepOf(line) <= step).ToList();
        if (kept.Count == lines.Length)
            return;
        var temporary = Path.Combine(Root, $".metrics.jsonl.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            using (var writer = new StreamWriter(file))
            {
                foreach (var line in kept)
                    writer.WriteLine(line);
                writer.Flush();
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, MetricsFile, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>The step of one metrics record, or null for a line that is not one (torn or empty).</summary>
    private static long? StepOf(string line)
    {
        try
        {
            using var record = JsonDocument.Parse(line);
            return record.RootElement.ValueKind == JsonValueKind.Object && record.RootElement.TryGetProperty("step", out var step) && step.TryGetInt64(out var value)
                ? value
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Deletes all but the newest <paramref name="keep"/> checkpoints, and never <paramref name="resumable"/>.</summary>
    public void PruneCheckpoints(int keep, string? resumable = null)
    {
        var all = Checkpoints();
        // The listed paths are full already (under Root); the control plane's may not be.
        var spared = resumable is null ? null : Path.GetFullPath(resumable);
        foreach (var old in all.Take(Math.Max(0, all.Count - keep)).Where(old => old != spared))
            File.Delete(old);
    }
}
