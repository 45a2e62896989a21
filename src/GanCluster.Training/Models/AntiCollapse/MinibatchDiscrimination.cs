using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanCluster.Training.Models.AntiCollapse;

/// <summary>
/// Salimans et al.'s minibatch discrimination (2016): D's features f(x) ∈ R^A times a learnt tensor T ∈ R^{A×B×C} give
/// each row B vectors M_b ∈ R^C; o_b(x_i) = Σ_{j≠i} exp(−‖M_b(x_i) − M_b(x_j)‖₁) says how close the row is to the other
/// rows, kernel by kernel, and the B values become more features (vectors) or constant channels (maps). Rows of a
/// collapsed G are all close, which D learns to punish. Distances stay within one micro-batch (a rank's shard).
/// A D that is differentiated once per step takes the distances from <c>cdist</c>, which never holds the
/// B·N²·C differences; one that a gradient penalty differentiates twice writes them out, because cdist's backward has
/// no derivative of its own. Both give the same distances (to rounding).
/// </summary>
public sealed class MinibatchDiscrimination : Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly long _kernels, _dims;
    private readonly bool _differentiatedTwice;

    public MinibatchDiscrimination(long features, int kernels, int dims, bool differentiatedTwice) : base(nameof(MinibatchDiscrimination))
    {
        (_kernels, _dims, _differentiatedTwice) = (kernels, dims, differentiatedTwice);
        weight = Parameter(empty(features, kernels * (long)dims));
        using (no_grad())
            init.normal_(weight, 0, 1 / Math.Sqrt(features));
        RegisterComponents();
    }

    public long Added => _kernels;

    public override Tensor forward(Tensor h)
    {
        var n = h.shape[0];
        var m = h.flatten(1).mm(weight).view(n, _kernels, _dims).permute(1, 0, 2).contiguous(); // [B, N, C]
        var distances = _differentiatedTwice ? WrittenOut(m) : cdist(m, m, p: 1);                // [B, N, N]
        var closeness = distances.neg().exp().sum([2]) - 1;                                      // [B, N]: Σ_{j≠i}
        var shape = new long[h.dim()];
        Array.Fill(shape, 1L);
        shape[0] = n;
        shape[1] = _kernels;
        var features = closeness.t().reshape(shape);
        if (h.dim() > 2)
            features = features.expand([n, _kernels, .. h.shape[2..]]);
        return cat([h, features], 1);
    }

    /// <summary>The L1 distances as broadcast differences: B·N²·C floats per pass (50 kernels × 5 dims at 256 rows: 16M), twice differentiable.</summary>
    private static Tensor WrittenOut(Tensor m) => (m.unsqueeze(2) - m.unsqueeze(1)).abs().sum([3]);
}
