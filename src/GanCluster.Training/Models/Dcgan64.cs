using GanCluster.Training.Models.AntiCollapse;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanCluster.Training.Models;

/// <summary>Radford et al. (2016) generator for 64×64 images: ConvT 4×4 stacks with BN and ReLU, tanh out, N(0, 0.02) init.</summary>
internal sealed class Dcgan64Generator : Module<Tensor, Tensor>
{
    private readonly Sequential _net;

    public Dcgan64Generator(int latentDim, int width, int channels) : base(nameof(Dcgan64Generator))
    {
        _net = Sequential(
            new LatentProjection(latentDim, width * 8, 4), BatchNorm2d(width * 8), ReLU(),
            RadfordLayers.Up(width * 8, width * 4), BatchNorm2d(width * 4), ReLU(),
            RadfordLayers.Up(width * 4, width * 2), BatchNorm2d(width * 2), ReLU(),
            RadfordLayers.Up(width * 2, width), BatchNorm2d(width), ReLU(),
            RadfordLayers.Up(width, channels), Tanh());
        RegisterComponents();
        RadfordInit.Apply(this);
    }

    public override Tensor forward(Tensor z) => _net.forward(z);
}

/// <summary>Radford et al. (2016) discriminator for 64×64 images: strided 4×4 convs, BN, LeakyReLU 0.2, one logit.</summary>
internal sealed class Dcgan64Discriminator : Module<Tensor, Tensor>
{
    private readonly Sequential _net;

    public Dcgan64Discriminator(int width, int channels, DiscriminatorParts parts) : base(nameof(Dcgan64Discriminator))
    {
        var (batch, added) = parts.BatchFeatures(width * 8, 4 * 4);
        _net = Sequential([
            parts.Layer(RadfordLayers.Down(channels, width)), LeakyReLU(0.2),
            parts.Layer(RadfordLayers.Down(width, width * 2)), BatchNorm2d(width * 2), LeakyReLU(0.2),
            parts.Layer(RadfordLayers.Down(width * 2, width * 4)), BatchNorm2d(width * 4), LeakyReLU(0.2),
            parts.Layer(RadfordLayers.Down(width * 4, width * 8)), BatchNorm2d(width * 8), LeakyReLU(0.2),
            .. batch,
            parts.Layer(new KernelReadout(width * 8 + added, 1, 4))]);
        RegisterComponents();
        RadfordInit.Apply(this);
    }

    public override Tensor forward(Tensor x) => _net.forward(x);
}

/// <summary>DCGAN's resampling layers: bias-free 4×4 convolutions of stride 2 and padding 1, which halve or double the map.</summary>
internal static class RadfordLayers
{
    public static ConvTranspose2d Up(long input, long output) => ConvTranspose2d(input, output, 4, stride: 2, padding: 1, bias: false);

    /// <remarks>One input channel into fewer than 16 is computed by <see cref="UnfoldedConvolution"/>, around a libtorch CPU kernel bug.</remarks>
    public static Module<Tensor, Tensor> Down(long input, long output) => UnfoldedConvolution.Needed(input, output)
        ? new UnfoldedConvolution(input, output, 4, stride: 2, padding: 1)
        : Conv2d(input, output, 4, stride: 2, padding: 1, bias: false);
}

/// <summary>DCGAN initialisation: conv weights N(0, 0.02), BN weights N(1, 0.02), BN biases 0 (the 1×1-map layers initialise themselves alike).</summary>
internal static class RadfordInit
{
    public static void Apply(Module module)
    {
        using var _ = no_grad();
        foreach (var (_, child) in module.named_modules())
        {
            switch (child)
            {
                case Conv2d conv:
                    init.normal_(conv.weight, 0, 0.02);
                    break;
                case ConvTranspose2d deconv:
                    init.normal_(deconv.weight, 0, 0.02);
                    break;
                case BatchNorm2d bn:
                    init.normal_(bn.weight, 1, 0.02);
                    init.zeros_(bn.bias);
                    break;
            }
        }
    }
}
