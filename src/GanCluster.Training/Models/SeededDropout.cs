using GanCluster.Training.Data;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanCluster.Training.Models;

/// <summary>Which forward pass of D within a step a dropout mask belongs to.</summary>
public enum DropoutPass
{
    Real = 0,
    Fake = 1,
    Generator = 2,
    GradientPenalty = 3,
}

/// <summary>
/// Where the discriminator's next forward pass sits in the run: the seed, the global batch, the pass and this
/// rank's rows. Each row's dropout mask is drawn from a generator seeded by these and the row's index in the global
/// batch, so N ranks together apply exactly the masks one process applies to the whole batch, and a resumed run
/// draws the same masks without saving any RNG state.
/// </summary>
public sealed class DropoutContext : IDisposable
{
    private readonly Generator _random = new(0);
    private long _seed;
    private long _batch;
    private DropoutPass _pass;
    private ShardSlice? _shard;

    public void Begin(long seed, long batch, DropoutPass pass, ShardSlice shard) => (_seed, _batch, _pass, _shard) = (seed, batch, pass, shard);

    /// <summary>The keep-mask scaled by 1/(1-p), shaped like <paramref name="input"/>.</summary>
    /// <remarks>Each row's mask has its own seed (batch, pass, layer, global row), so a rank draws only its own rows.</remarks>
    internal Tensor Mask(int layer, double p, Tensor input)
    {
        var shard = _shard ?? ShardSlice.Single((int)input.shape[0]);
        if (shard.Length != input.shape[0])
            throw new InvalidOperationException($"the dropout context expects {shard.Length} rows but D was given {input.shape[0]}: call DropoutContext.Begin before each training forward pass");
        using var scope = NewDisposeScope();
        var stream = ((_batch * 4 + (long)_pass) * 64 + layer) << 24;
        long[] rowShape = input.shape[1..];
        var rows = new Tensor[shard.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            _random.manual_seed(SeedMixer.Mix(_seed, (long)RandomStream.DiscriminatorDropout, stream + shard.Start + i));
            rows[i] = rand(rowShape, generator: _random);
        }
        var mask = stack(rows).ge_(p).to_type(input.dtype).mul_(1.0 / (1.0 - p));
        return (input.device.type == DeviceType.CPU ? mask : mask.to(input.device)).MoveToOuterDisposeScope();
    }

    public void Dispose() => _random.Dispose();
}

/// <summary>Dropout with masks from a <see cref="DropoutContext"/> instead of torch's global RNG.</summary>
internal sealed class SeededDropout : Module<Tensor, Tensor>
{
    private readonly double _p;
    private readonly int _layer;
    private readonly DropoutContext _context;

    public SeededDropout(double p, int layer, DropoutContext context) : base(nameof(SeededDropout))
    {
        if (p is < 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be in [0, 1)");
        (_p, _layer, _context) = (p, layer, context);
    }

    public override Tensor forward(Tensor input)
    {
        if (!training || _p == 0)
            return input.alias();
        using var mask = _context.Mask(_layer, _p, input);
        return input * mask;
    }
}
