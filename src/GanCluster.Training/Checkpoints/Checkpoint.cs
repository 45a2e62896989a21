namespace GanCluster.Training.Checkpoints;

/// <summary>Everything a run needs to continue its exact trajectory: networks, optimizers, RNG, step, data cursor and spec.</summary>
public sealed record Checkpoint
{
    public const int CurrentFormatVersion = 1;

    public int FormatVersion { get; init; } = CurrentFormatVersion;
    public required long Step { get; init; }

    /// <summary>The next global batch index the data sampler will draw.</summary>
    public required long DataCursor { get; init; }

    /// <summary>The effective run spec (YAML, after overrides) that produced the checkpoint.</summary>
    public required string SpecYaml { get; init; }

    public required string Producer { get; init; }
    public required DateTimeOffset CreatedUtc { get; init; }
    public required IReadOnlyList<CheckpointEntry> Entries { get; init; }

    /// <summary>SHA-256 of the file, hex; set when read from or written to disk.</summary>
    public string? Sha256 { get; init; }

    public CheckpointEntry? Find(string name) => Entries.FirstOrDefault(e => e.Name == name);
}
