namespace GanCluster.Training.Checkpoints;

/// <summary>A checkpoint that is missing, truncated, corrupted or made for another model: names the file.</summary>
public sealed class CheckpointException(string path, string problem) : Exception($"{path}: {problem}")
{
    public string Path { get; } = path;
}
