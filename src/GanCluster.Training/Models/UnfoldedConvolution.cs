using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanCluster.Training.Models;

/// <summary>
/// A bias-free square convolution computed as what it is: the input's patches (unfold) times the weight matrix.
/// libtorch 2.10's CPU kernel for the input gradient of a convolution with one input channel and fewer than 16
/// output channels reads uninitialised memory: over a recycled block that held NaN, every gradient that flows
/// back through D's first layer into G is NaN (reproduced 60 times out of 60 for 1→8 channels at 64×64; 1→16
/// and more, and two or more input channels, are exact). <see cref="RadfordLayers.Down"/> uses this module for
/// that case only. The weight keeps Conv2d's [out, in, k, k] layout and name, so checkpoints are unchanged.
/// </summary>
public sealed class UnfoldedConvolution : Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly long _kernel, _stride, _padding;

    public UnfoldedConvolution(long inChannels, long outChannels, long kernel, long stride, long padding) : base(nameof(UnfoldedConvolution))
    {
        (_kernel, _stride, _padding) = (kernel, stride, padding);
        weight = Parameter(empty(outChannels, inChannels, kernel, kernel));
        using (no_grad())
            init.normal_(weight, 0, 0.02);
        RegisterComponents();
    }

    /// <summary>The kernel's failing case: one input channel and fewer than 16 output channels.</summary>
    public static bool Needed(long inChannels, long outChannels) => inChannels == 1 && outChannels < 16;

    public override Tensor forward(Tensor x)
    {
        var rows = (x.shape[2] + 2 * _padding - _kernel) / _stride + 1;
        var columns = (x.shape[3] + 2 * _padding - _kernel) / _stride + 1;
        var patches = functional.unfold(x, _kernel, padding: _padding, stride: _stride); // [B, in·k·k, rows·columns]
        var output = weight.view(weight.shape[0], -1).matmul(patches);                  // [B, out, rows·columns]
        return output.view(x.shape[0], weight.shape[0], rows, columns);
    }
}
