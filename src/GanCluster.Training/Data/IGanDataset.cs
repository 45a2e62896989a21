using static TorchSharp.torch;

namespace GanCluster.Training.Data;

/// <summary>
/// Real samples for D. A batch is a pure function of (seed, batch index, shard): ranks of one run
/// take disjoint rows of the same global batch, and a resumed run draws what it would have drawn.
/// </summary>
public interface IGanDataset : IDisposable
{
    /// <summary>Shape of one sample: [C, H, W] for images, [2] for points.</summary>
    long[] SampleShape { get; }

    /// <summary>How many distinct samples exist, or null for an unbounded synthetic source.</summary>
    long? Count { get; }

    /// <summary>The shard's rows of global batch <paramref name="batchIndex"/>, as float32 in [-1, 1] (images) on <paramref name="device"/>.</summary>
    Tensor Batch(long batchIndex, ShardSlice shard, Device device);

    /// <summary>How many classes the source's labels name (one more than the largest label), or 0 without labels.</summary>
    int ClassCount => 0;

    /// <summary>The class labels (int64) of exactly the rows <see cref="Batch"/> returns; only for labelled sources.</summary>
    Tensor BatchLabels(long batchIndex, ShardSlice shard, Device device) =>
        throw new NotSupportedException($"{GetType().Name} has no class labels");
}
