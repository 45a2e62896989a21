using GanCluster.Training.Models.AntiCollapse;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanCluster.Training.Models;

/// <summary>Goodfellow et al. (2014): one hidden ReLU layer, Xavier init; fed with a uniform prior on [-1, 1].</summary>
internal sealed class VanillaGenerator : Module<Tensor, Tensor>
{
    private readonly Sequential _net;
    private readonly long[] _shape;

    public VanillaGenerator(int latentDim, int hidden, long[] sampleShape) : base(nameof(VanillaGenerator))
    {
        _shape = sampleShape;
        _net = Sequential(Linear(latentDim, hidden), ReLU(), Linear(hidden, sampleShape.Aggregate(1L, (a, b) => a * b)), Tanh());
        RegisterComponents();
        Xavier.Initialise(this);
    }

    public override Tensor forward(Tensor z) => _net.forward(z).view([z.shape[0], .. _shape]);
}

/// <summary>Goodfellow et al. (2014) discriminator: one hidden ReLU layer, one logit, Xavier init.</summary>
internal sealed class VanillaDiscriminator : Module<Tensor, Tensor>
{
    private readonly Sequential _net;

    public VanillaDiscriminator(long features, int hidden, DiscriminatorParts parts) : base(nameof(VanillaDiscriminator))
    {
        var (batch, added) = parts.BatchFeatures(hidden);
        _net = Sequential([parts.Layer(Linear(features, hidden)), ReLU(), .. batch, parts.Layer(Linear(hidden + added, 1))]);
        RegisterComponents();
        Xavier.Initialise(this);
    }

    public override Tensor forward(Tensor x) => _net.forward(x.flatten(1));
}

internal static class Xavier
{
    public static void Initialise(Module module)
    {
        using var _ = no_grad();
        foreach (var (name, p) in module.named_parameters())
        {
            if (name.EndsWith("weight", StringComparison.Ordinal))
                init.xavier_uniform_(p);
            else
                init.zeros_(p);
        }
    }
}
