using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanCluster.Training.Models.AntiCollapse;

/// <summary>
/// Karras et al.'s minibatch standard deviation (2018): the batch splits into groups of <c>group</c> rows (row i in
/// group i mod N/group, as in their code); per group, the standard deviation of every feature over its rows, averaged to
/// one number, becomes one more feature (vectors) or a constant channel (maps) of each row. A collapsed G gives a
/// small value, which D learns to read. Statistics stay within one micro-batch (a rank's shard), like BatchNorm's.
/// </summary>
public sealed class MinibatchStddev(int group) : Module<Tensor, Tensor>(nameof(MinibatchStddev))
{
    public const int Added = 1;

    public override Tensor forward(Tensor h)
    {
        var n = h.shape[0];
        var g = Math.Min(group, n);
        if (n % g != 0)
            throw new ArgumentException($"minibatch_stddev groups {g} rows, and D sees {n} rows at once: make the rows per rank and micro-batch (after pack) a multiple of {g}");
        var grouped = h.reshape([g, n / g, .. h.shape[1..]]);
        var deviation = (grouped - grouped.mean([0], keepdim: true)).square().mean([0]).add(1e-8).sqrt();  // [N/g, ...]
        var perGroup = deviation.flatten(1).mean([1]);                                                      // [N/g]
        var perRow = perGroup.repeat(g);                                                                    // row i reads group i mod N/g
        var shape = new long[h.dim()];
        Array.Fill(shape, 1L);
        shape[0] = n;
        var feature = perRow.view(shape);
        if (h.dim() > 2)
            feature = feature.expand([n, 1, .. h.shape[2..]]);
        return cat([h, feature], 1);
    }
}
