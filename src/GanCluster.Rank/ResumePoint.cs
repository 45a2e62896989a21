namespace GanCluster.Rank;

/// <summary>A checkpoint to continue from; with <see cref="Sha256"/> the file must still be the one that was recorded.</summary>
public sealed record ResumePoint(string Path, string? Sha256 = null);
