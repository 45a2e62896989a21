namespace GanCluster.Training.Runtime;

/// <summary>A checkpoint the loop wrote: its identity (path, SHA-256, step) and what writing it cost.</summary>
public sealed record CheckpointWritten(long Step, string Path, string Sha256, long Bytes, TimeSpan Duration);
