namespace GanCluster.Training.Data;

/// <summary>A dataset file or folder that is missing or malformed: names the path and what was wrong.</summary>
public sealed class DatasetException(string path, string problem) : Exception($"{path}: {problem}")
{
    public string Path { get; } = path;
}
