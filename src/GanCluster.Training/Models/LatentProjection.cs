using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanCluster.Training.Models;

/// <summary>
/// DCGAN's first layer, a bias-free ConvTranspose2d (k×k, stride 1, no padding) on a 1×1 input,
/// computed as the matrix product it is. libtorch 2.10's CPU kernel for exactly this shape reads
/// uninitialised output memory (NaN once the allocator recycles a dirty block), so it is avoided.
/// The weight keeps ConvTranspose2d's [in, out, k, k] layout, so checkpoints and counts are unchanged.
/// </summary>
internal sealed class LatentProjection : Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly long _outChannels;
    private readonly long _kernel;

    public LatentProjection(long inChannels, long outChannels, long kernel) : base(nameof(LatentProjection))
    {
        _outChannels = outChannels;
        _kernel = kernel;
        weight = Parameter(empty(inChannels, outChannels, kernel, kernel));
        using (no_grad())
            init.normal_(weight, 0, 0.02);
        RegisterComponents();
    }

    public Parameter Weight => weight;

    public override Tensor forward(Tensor z)
    {
        var flat = z.reshape(z.shape[0], z.shape[1]);
        return flat.mm(weight.view(weight.shape[0], -1)).view(z.shape[0], _outChannels, _kernel, _kernel);
    }
}
