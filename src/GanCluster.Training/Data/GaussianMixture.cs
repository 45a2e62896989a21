using static TorchSharp.torch;

namespace GanCluster.Training.Data;

/// <summary>
/// The PacGAN/VEEGAN 2D mixtures: <c>ring8</c> (8 modes on the unit circle, sd 0.01) and
/// <c>grid25</c> (modes on {-4,-2,0,2,4}², sd 0.05), each mode equally likely.
/// </summary>
public sealed class GaussianMixture : IGanDataset
{
    private readonly Tensor _modes;
    private readonly long _seed;

    private GaussianMixture(string name, float[,] modes, double sd, long seed)
    {
        Name = name;
        Modes = modes;
        StandardDeviation = sd;
        _seed = seed;
        _modes = tensor(modes);
    }

    public string Name { get; }
    public float[,] Modes { get; }
    public double StandardDeviation { get; }
    public long[] SampleShape => [2];
    public long? Count => null;

    public static GaussianMixture Ring8(long seed)
    {
        var modes = new float[8, 2];
        for (var k = 0; k < 8; k++)
        {
            modes[k, 0] = (float)Math.Cos(2 * Math.PI * k / 8);
            modes[k, 1] = (float)Math.Sin(2 * Math.PI * k / 8);
        }
        return new GaussianMixture("ring8", modes, 0.01, seed);
    }

    public static GaussianMixture Grid25(long seed)
    {
        var modes = new float[25, 2];
        for (var i = 0; i < 5; i++)
            for (var j = 0; j < 5; j++)
            {
                modes[i * 5 + j, 0] = -4 + 2 * i;
                modes[i * 5 + j, 1] = -4 + 2 * j;
            }
        return new GaussianMixture("grid25", modes, 0.05, seed);
    }

    public Tensor Batch(long batchIndex, ShardSlice shard, Device device)
    {
        shard.Validate();
        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)SeedMixer.Mix(_seed, (long)RandomStream.MixtureSamples, batchIndex));
        var which = randint(0, _modes.shape[0], [shard.GlobalBatch], generator: generator);
        var noise = randn([shard.GlobalBatch, 2], generator: generator).mul_(StandardDeviation);
        var points = _modes.index_select(0, which).add_(noise).narrow(0, shard.Start, shard.Length);
        return points.to(device).contiguous().MoveToOuterDisposeScope();
    }

    public void Dispose() => _modes.Dispose();
}
