using GanCluster.Specs;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanCluster.Training.Models.AntiCollapse;

/// <summary>
/// What the anti-collapse options (<see cref="AntiCollapseSpec"/>) change inside a discriminator, for every model alike:
/// each weighted layer through <see cref="Layer"/> (spectral normalisation), and the batch-level features inserted
/// before D's last layer (<see cref="BatchFeatures"/>), which widen that layer's input by <c>Added</c>. Packing wraps
/// the whole D instead (<see cref="ModelFactory"/>). <paramref name="differentiatedTwice"/>: a gradient penalty
/// differentiates D's gradient again, which rules out layers without a double backward.
/// </summary>
public sealed class DiscriminatorParts(AntiCollapseSpec spec, bool differentiatedTwice)
{
    public AntiCollapseSpec Spec { get; } = spec;

    /// <summary>A weighted layer of D: spectrally normalised when the spec asks for it.</summary>
    public Module<Tensor, Tensor> Layer(Module<Tensor, Tensor> layer) => Spec.SpectralNorm ? new SpectralNorm(layer) : layer;

    /// <summary>
    /// The modules to insert before D's last layer, which reads <paramref name="channels"/> features per row (vectors) or
    /// channels of <paramref name="spatial"/> = H·W positions (maps), and how many features or channels they add.
    /// </summary>
    public (Module<Tensor, Tensor>[] Modules, long Added) BatchFeatures(long channels, long spatial = 1)
    {
        var modules = new List<Module<Tensor, Tensor>>();
        var added = 0L;
        if (Spec.MinibatchStddevGroup > 0)
        {
            modules.Add(new MinibatchStddev(Spec.MinibatchStddevGroup));
            added += MinibatchStddev.Added;
        }
        if (Spec.MinibatchKernels > 0)
        {
            var discrimination = new MinibatchDiscrimination((channels + added) * spatial, Spec.MinibatchKernels, Spec.MinibatchKernelDims, differentiatedTwice);
            modules.Add(discrimination);
            added += discrimination.Added;
        }
        return ([.. modules], added);
    }
}
