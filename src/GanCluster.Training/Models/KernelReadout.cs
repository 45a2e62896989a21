using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanCluster.Training.Models;

/// <summary>
/// DCGAN's last discriminator layer, a bias-free Conv2d whose k×k kernel covers the whole k×k input,
/// computed as the matrix product it is. Its input gradient would otherwise run libtorch 2.10's CPU
/// transposed convolution from a 1×1 map, which reads uninitialised memory (see <see cref="LatentProjection"/>).
/// The weight keeps Conv2d's [out, in, k, k] layout.
/// </summary>
internal sealed class KernelReadout : Module<Tensor, Tensor>
{
    private readonly Parameter weight;

    public KernelReadout(long inChannels, long outChannels, long kernel) : base(nameof(KernelReadout))
    {
        weight = Parameter(empty(outChannels, inChannels, kernel, kernel));
        using (no_grad())
            init.normal_(weight, 0, 0.02);
        RegisterComponents();
    }

    public Parameter Weight => weight;

    /// <summary>[B, in, k, k] → [B, out].</summary>
    public override Tensor forward(Tensor x) => x.flatten(1).mm(weight.view(weight.shape[0], -1).t());
}
