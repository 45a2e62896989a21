using GanCluster.Training.Models.AntiCollapse;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanCluster.Training.Models;

/// <summary>The Keras-style 28×28 DCGAN generator: Dense 7·7·128 → BN → ConvT 64 k5 s2, SELU → BN → ConvT C k5 s2, tanh.</summary>
internal sealed class Dcgan28Generator : Module<Tensor, Tensor>
{
    private readonly Sequential _net;

    public Dcgan28Generator(int latentDim, int channels) : base(nameof(Dcgan28Generator))
    {
        _net = Sequential(
            Linear(latentDim, 7 * 7 * 128),
            BatchNorm1d(7 * 7 * 128),
            Unflatten(1, [128, 7, 7]),
            ConvTranspose2d(128, 64, kernel_size: 5, stride: 2, padding: 2, output_padding: 1),
            SELU(),
            BatchNorm2d(64),
            ConvTranspose2d(64, channels, kernel_size: 5, stride: 2, padding: 2, output_padding: 1),
            Tanh());
        RegisterComponents();
    }

    public override Tensor forward(Tensor z) => _net.forward(z);
}

/// <summary>The Keras-style 28×28 DCGAN discriminator: Conv 64 k5 s2, LeakyReLU 0.2, Dropout 0.4 → Conv 128 → Dense.
/// Dropout masks come from the run's <see cref="DropoutContext"/>, so they do not depend on the world size.</summary>
internal sealed class Dcgan28Discriminator : Module<Tensor, Tensor>
{
    private readonly Sequential _net;

    public Dcgan28Discriminator(int channels, DropoutContext dropout, DiscriminatorParts parts) : base(nameof(Dcgan28Discriminator))
    {
        var (batch, added) = parts.BatchFeatures(128, 7 * 7);
        _net = Sequential([
            parts.Layer(Conv2d(channels, 64, kernel_size: 5, stride: 2, padding: 2)), LeakyReLU(0.2), new SeededDropout(0.4, 0, dropout),
            parts.Layer(Conv2d(64, 128, kernel_size: 5, stride: 2, padding: 2)), LeakyReLU(0.2), new SeededDropout(0.4, 1, dropout),
            .. batch,
            Flatten(),
            parts.Layer(Linear((128 + added) * 7 * 7, 1))]);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => _net.forward(x);
}
