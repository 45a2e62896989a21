using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanCluster.Training.Models.AntiCollapse;

/// <summary>
/// Spectral normalisation (Miyato et al. 2018) of one layer of D: the layer computes with W / σ(W), σ being W's largest
/// singular value estimated by power iteration (W reshaped to [out, in·k·k]). For a linear or convolutional layer,
/// (W / σ) x + b = (W x) / σ + b, so the wrapped layer runs unchanged and its output is rescaled; σ = uᵀ W v stays a
/// function of W, so gradients flow through it as through W / σ. The vectors u and v are buffers, saved in checkpoints.
/// They move one power-iteration step per D step (<see cref="Update"/>, called by the trainer), never per forward pass:
/// a step's σ is then the same however many micro-batches or passes the step makes, so ranks and resumes agree bitwise.
/// </summary>
public sealed class SpectralNorm : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> layer;
    private readonly Tensor u;
    private readonly Tensor v;

    public SpectralNorm(Module<Tensor, Tensor> layer) : base(nameof(SpectralNorm))
    {
        this.layer = layer;
        var rows = Weight.shape[0];
        var columns = Weight.numel() / rows;
        // Drawn from torch's global RNG, like every initial weight, so a seeded run starts from the same u.
        u = functional.normalize(randn(rows), p: 2, dim: 0);
        v = zeros(columns);
        RegisterComponents();
    }

    // Looked up by name on every use, not cached: moving the module to a device replaces its parameters.
    private Parameter Weight => layer.get_parameter("weight") ?? throw new InvalidOperationException($"{layer.GetName()} has no weight to normalise");
    private Parameter? Bias => layer.get_parameter("bias");

    /// <summary>The current estimate of σ(W) (no gradient).</summary>
    public double Sigma
    {
        get
        {
            using var _ = no_grad();
            return Estimate(Weight).ToDouble();
        }
    }

    /// <summary>One power-iteration step: v ← Wᵀu / ‖Wᵀu‖, u ← W v / ‖W v‖.</summary>
    public void Update()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var w = Weight.view(Weight.shape[0], -1);
        v.copy_(functional.normalize(w.t().mv(u), p: 2, dim: 0, eps: 1e-12));
        u.copy_(functional.normalize(w.mv(v), p: 2, dim: 0, eps: 1e-12));
    }

    /// <summary>Runs every <see cref="SpectralNorm"/> of <paramref name="module"/> one power-iteration step.</summary>
    public static void UpdateAll(Module module)
    {
        foreach (var (_, child) in module.named_modules())
            if (child is SpectralNorm norm)
                norm.Update();
    }

    private Tensor Estimate(Tensor weight) => u.dot(weight.view(weight.shape[0], -1).mv(v));

    public override Tensor forward(Tensor x)
    {
        var sigma = Estimate(Weight);
        var output = layer.forward(x);
        if (Bias is not { } bias)
            return output / sigma;
        var shape = new long[output.dim()];
        Array.Fill(shape, 1L);
        shape[1] = bias.shape[0];
        var b = bias.view(shape);
        return (output - b) / sigma + b;
    }
}
