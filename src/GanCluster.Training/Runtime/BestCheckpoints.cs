using System.Globalization;
using System.Text.Json;
using GanCluster.Specs;
using GanCluster.Training.Checkpoints;
using GanCluster.Training.Health;

namespace GanCluster.Training.Runtime;

/// <summary>One of a run's best checkpoints: its step, the metric's value there, and the file with its digest.</summary>
public sealed record BestCheckpoint(long Step, double Value, string Path, string Sha256);

/// <summary>
/// A run's best checkpoints by one metric (<c>keep_best</c>): at each periodic evaluation whose value is among the
/// best so far, the state is written to <c>checkpoints/best/step-N.gck</c>, and the worst beyond the count is deleted.
/// FID-like metrics go up and down, so the newest checkpoint is rarely the best one; these are what a sweep hands
/// back. An index beside them (<c>index.json</c>, replaced atomically) keeps their values across a resume.
/// </summary>
public sealed class BestCheckpoints
{
    private readonly RunDirectory _directory;
    private readonly BestCheckpointSpec _spec;
    private readonly List<BestCheckpoint> _kept;

    public BestCheckpoints(RunDirectory directory, BestCheckpointSpec spec)
    {
        (_directory, _spec) = (directory, spec);
        _kept = [.. Read(directory)];
    }

    public string Folder => FolderOf(_directory);
    private string IndexFile => IndexOf(_directory);

    private static string FolderOf(RunDirectory directory) => Path.Combine(directory.CheckpointsFolder, "best");
    private static string IndexOf(RunDirectory directory) => Path.Combine(FolderOf(directory), "index.json");

    /// <summary>The run folder that holds <paramref name="checkpointFile"/> (in its <c>checkpoints/</c> or <c>checkpoints/best/</c>), or null.</summary>
    public static RunDirectory? RunHolding(string checkpointFile)
    {
        var folder = new DirectoryInfo(Path.GetDirectoryName(Path.GetFullPath(checkpointFile))!);
        if (folder.Name == "best" && folder.Parent is { Name: "checkpoints" } parent)
            folder = parent;
        return folder.Name == "checkpoints" && folder.Parent is { } root && File.Exists(Path.Combine(root.FullName, "spec.yaml")) ? new RunDirectory(root.FullName) : null;
    }

    /// <summary>The best checkpoints a run keeps, best first (empty when it keeps none); each path is inside the run's folder as it is now.</summary>
    public static IReadOnlyList<BestCheckpoint> Read(RunDirectory directory)
    {
        var index = IndexOf(directory);
        if (!File.Exists(index))
            return [];
        List<BestCheckpoint> kept;
        try
        {
            kept = JsonSerializer.Deserialize<List<BestCheckpoint>>(File.ReadAllText(index)) ?? [];
        }
        catch (JsonException e)
        {
            throw new CheckpointException(index, $"is not a best-checkpoint index ({e.Message})");
        }
        // The run folder may have moved (copied off a cluster): the files are found beside the index.
        return [.. kept.Select(k => k with { Path = Path.Combine(FolderOf(directory), Path.GetFileName(k.Path)) })];
    }

    /// <summary>Best first.</summary>
    public IReadOnlyList<BestCheckpoint> Kept => _kept;

    /// <summary>Whether a checkpoint with <paramref name="value"/> would be kept.</summary>
    public bool Qualifies(double value) => _kept.Count < _spec.Count || _spec.AsMetric.IsBetter(value, _kept[^1].Value);

    /// <summary>Writes the state of <paramref name="step"/> (through <paramref name="write"/>, which returns the SHA-256) and prunes the worst beyond the count.</summary>
    public BestCheckpoint Add(long step, double value, Func<string, string> write)
    {
        Directory.CreateDirectory(Folder);
        var path = Path.Combine(Folder, $"step-{step.ToString("D8", CultureInfo.InvariantCulture)}.gck");
        var kept = new BestCheckpoint(step, value, path, write(path));
        _kept.RemoveAll(k => k.Step == step);
        _kept.Add(kept);
        // Best first; among equal values the earlier step.
        _kept.Sort((a, b) => a.Value.Equals(b.Value) ? a.Step.CompareTo(b.Step) : _spec.AsMetric.IsBetter(a.Value, b.Value) ? -1 : 1);
        foreach (var dropped in _kept.Skip(_spec.Count).ToList())
        {
            File.Delete(dropped.Path);
            _kept.Remove(dropped);
        }
        Save();
        return kept;
    }

    /// <summary>A resumed run forgets what the attempt that did not reach its next checkpoint kept after <paramref name="step"/>: it will evaluate those steps again.</summary>
    public void DropAfter(long step)
    {
        var dropped = _kept.Where(k => k.Step > step).ToList();
        if (dropped.Count == 0)
            return;
        foreach (var k in dropped)
        {
            File.Delete(k.Path);
            _kept.Remove(k);
        }
        Save();
    }

    private void Save()
    {
        var temporary = IndexFile + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(_kept, new JsonSerializerOptions { WriteIndented = true }));
        File.Move(temporary, IndexFile, overwrite: true);
    }
}
