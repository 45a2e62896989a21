namespace GanCluster.Training.Data;

/// <summary>The rows of a global batch that one rank of a data-parallel run owns: disjoint and contiguous.</summary>
public readonly record struct ShardSlice(int Rank, int WorldSize, int GlobalBatch)
{
    public static ShardSlice Single(int globalBatch) => new(0, 1, globalBatch);

    public int Length => GlobalBatch / WorldSize;
    public int Start => Rank * Length;

    public void Validate()
    {
        if (WorldSize < 1 || Rank < 0 || Rank >= WorldSize)
            throw new ArgumentOutOfRangeException(nameof(Rank), $"rank {Rank} is outside a world of size {WorldSize}");
    }
}
