using GanCluster.Training.Models.AntiCollapse;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanCluster.Training.Models;

/// <summary>
/// Radford et al.'s DCGAN scaled to 28×28 (model "radford28"): z → 7×7×4w → BN, ReLU → ConvT 4×4 s2 to 14×14×2w → BN, ReLU
/// → ConvT 4×4 s2 to 28×28, tanh. Unlike the Keras-style dcgan28, every layer but the last has a nonlinearity,
/// so G is three layers deep rather than one affine map and one hidden layer.
/// </summary>
internal sealed class Radford28Generator : Module<Tensor, Tensor>
{
    private readonly Sequential _net;

    public Radford28Generator(int latentDim, int width, int channels) : base(nameof(Radford28Generator))
    {
        _net = Sequential(
            new LatentProjection(latentDim, width * 4, 7), BatchNorm2d(width * 4), ReLU(),
            RadfordLayers.Up(width * 4, width * 2), BatchNorm2d(width * 2), ReLU(),
            RadfordLayers.Up(width * 2, channels), Tanh());
        RegisterComponents();
        RadfordInit.Apply(this);
    }

    public override Tensor forward(Tensor z) => _net.forward(z);
}

/// <summary>Radford et al.'s discriminator at 28×28: Conv 4×4 s2 to 14×14×w, LeakyReLU 0.2 → Conv to 7×7×2w, BN, LeakyReLU → one logit.</summary>
internal sealed class Radford28Discriminator : Module<Tensor, Tensor>
{
    private readonly Sequential _net;

    public Radford28Discriminator(int width, int channels, DiscriminatorParts parts) : base(nameof(Radford28Discriminator))
    {
        var (batch, added) = parts.BatchFeatures(width * 2, 7 * 7);
        _net = Sequential([
            parts.Layer(RadfordLayers.Down(channels, width)), LeakyReLU(0.2),
            parts.Layer(RadfordLayers.Down(width, width * 2)), BatchNorm2d(width * 2), LeakyReLU(0.2),
            .. batch,
            parts.Layer(new KernelReadout(width * 2 + added, 1, 7))]);
        RegisterComponents();
        RadfordInit.Apply(this);
    }

    public override Tensor forward(Tensor x) => _net.forward(x);
}
