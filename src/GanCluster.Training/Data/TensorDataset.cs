using TorchSharp;
using static TorchSharp.torch;

namespace GanCluster.Training.Data;

/// <summary>
/// A finite image dataset held as uint8 [N, C, H, W] in memory. Batches walk a fresh seeded
/// permutation every epoch; global batch b covers stream positions [b·B, (b+1)·B).
/// </summary>
public sealed class TensorDataset : IGanDataset
{
    /// <summary>Datasets up to this size are also kept as float32 in [-1, 1], so a batch is one gather.</summary>
    private const long FloatCacheBytes = 1L << 30;

    private readonly Tensor _images;
    private readonly Tensor? _unitRange;
    private readonly long _seed;
    private readonly Dictionary<long, long[]> _permutations = [];

    public TensorDataset(Tensor images, long seed, Tensor? labels = null)
    {
        if (images.dim() != 4 || images.dtype != ScalarType.Byte)
            throw new ArgumentException($"images must be uint8 [N, C, H, W], found {images.dtype} [{string.Join(", ", images.shape)}]");
        _images = images;
        _seed = seed;
        Labels = labels;
        ClassCount = labels is null || labels.numel() == 0 ? 0 : labels.max().ToInt32() + 1;
        if (images.numel() * sizeof(float) <= FloatCacheBytes)
            _unitRange = ToUnitRange(images, CPU);
    }

    public long[] SampleShape => _images.shape[1..];
    public long? Count => _images.shape[0];

    /// <summary>Class labels where the source has them (IDX), else null.</summary>
    public Tensor? Labels { get; }

    public int ClassCount { get; }

    /// <summary>All images as uint8 [N, C, H, W].</summary>
    public Tensor Images => _images;

    public Tensor Batch(long batchIndex, ShardSlice shard, Device device)
    {
        using var index = RowIndices(batchIndex, shard);
        if (_unitRange is not null)
        {
            var batch = _unitRange.index_select(0, index);
            return device.type == DeviceType.CPU ? batch : batch.to(device);
        }
        using var raw = _images.index_select(0, index);
        return ToUnitRange(raw, device);
    }

    public Tensor BatchLabels(long batchIndex, ShardSlice shard, Device device)
    {
        if (Labels is null)
            throw new NotSupportedException("this image dataset has no class labels");
        using var index = RowIndices(batchIndex, shard);
        using var rows = Labels.index_select(0, index);
        return rows.to_type(ScalarType.Int64).to(device);
    }

    /// <summary>The dataset rows that make up the shard's part of global batch <paramref name="batchIndex"/>.</summary>
    private Tensor RowIndices(long batchIndex, ShardSlice shard)
    {
        shard.Validate();
        var n = _images.shape[0];
        var indices = new long[shard.Length];
        var position = batchIndex * shard.GlobalBatch + shard.Start;
        for (var i = 0; i < indices.Length; i++, position++)
            indices[i] = Permutation(position / n)[position % n];
        return tensor(indices);
    }

    /// <summary>uint8 pixels to float32 in [-1, 1].</summary>
    public static Tensor ToUnitRange(Tensor raw, Device device)
    {
        using var scope = NewDisposeScope();
        return raw.to(device).to_type(ScalarType.Float32).div_(127.5f).sub_(1f).MoveToOuterDisposeScope();
    }

    private long[] Permutation(long epoch)
    {
        if (_permutations.TryGetValue(epoch, out var cached))
            return cached;
        if (_permutations.Count >= 2)
            _permutations.Remove(_permutations.Keys.Min());
        using var generator = new Generator((ulong)SeedMixer.Mix(_seed, (long)RandomStream.EpochPermutation, epoch));
        using var perm = randperm(_images.shape[0], generator: generator);
        var values = perm.data<long>().ToArray();
        _permutations[epoch] = values;
        return values;
    }

    public void Dispose()
    {
        _unitRange?.Dispose();
        _images.Dispose();
        Labels?.Dispose();
    }
}
