using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanCluster.Training.Models.AntiCollapse;

/// <summary>
/// PacGAN (Lin et al. 2018): D judges <c>pack</c> samples at once, concatenated along channels (images) or features
/// (points), so that a G whose samples look alike is caught by the pack even when each sample looks real. Consecutive
/// rows form a pack, all real or all fake. The pack's one logit is repeated for each of its rows, so the losses,
/// label smoothing and the D(x) report keep their per-row shapes and means; the gradient penalties divide the repeat
/// out again (<see cref="Losses.GradientPenalties"/>, <c>pack</c>).
/// </summary>
internal sealed class PackedDiscriminator : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> inner;

    public PackedDiscriminator(Module<Tensor, Tensor> inner, int pack) : base(nameof(PackedDiscriminator))
    {
        this.inner = inner;
        Pack = pack;
        RegisterComponents();
    }

    public int Pack { get; }

    public override Tensor forward(Tensor x)
    {
        var n = x.shape[0];
        if (n % Pack != 0)
            throw new ArgumentException($"pack {Pack} needs a multiple of {Pack} rows at once, found {n}");
        var packed = x.reshape([n / Pack, Pack * x.shape[1], .. x.shape[2..]]);
        return inner.forward(packed).repeat_interleave(Pack, dim: 0);
    }
}
