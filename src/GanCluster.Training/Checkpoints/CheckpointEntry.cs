namespace GanCluster.Training.Checkpoints;

/// <summary>One named payload of a checkpoint: a tensor (dtype and shape set) or an opaque blob (optimizer state).</summary>
public sealed record CheckpointEntry(string Name, string? DType, long[]? Shape, byte[] Data)
{
    public bool IsTensor => DType is not null;

    public long ElementCount => Shape?.Aggregate(1L, (a, b) => a * b) ?? 0;

    /// <summary>Network prefix of the entry name: "g", "d", "ema", "rng" or "opt".</summary>
    public string Network => Name.Split('/')[0];
}
