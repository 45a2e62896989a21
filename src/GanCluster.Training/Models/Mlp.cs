using GanCluster.Training.Models.AntiCollapse;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanCluster.Training.Models;

/// <summary>The 2-layer MLP generator: z → 128 → 128 → C·H·W, LeakyReLU(0.01), tanh.</summary>
internal sealed class MlpGenerator : Module<Tensor, Tensor>
{
    private readonly Sequential _net;
    private readonly long[] _shape;

    public MlpGenerator(int latentDim, int hidden, long[] sampleShape) : base(nameof(MlpGenerator))
    {
        _shape = sampleShape;
        var features = sampleShape.Aggregate(1L, (a, b) => a * b);
        _net = Sequential(
            Linear(latentDim, hidden), LeakyReLU(0.01),
            Linear(hidden, hidden), LeakyReLU(0.01),
            Linear(hidden, features), Tanh());
        RegisterComponents();
    }

    public override Tensor forward(Tensor z) => _net.forward(z).view([z.shape[0], .. _shape]);
}

/// <summary>The 2-layer MLP discriminator: C·H·W → 128 → 128 → 1 logit, LeakyReLU(0.01).</summary>
internal sealed class MlpDiscriminator : Module<Tensor, Tensor>
{
    private readonly Sequential _net;

    public MlpDiscriminator(long features, int hidden, DiscriminatorParts parts) : base(nameof(MlpDiscriminator))
    {
        var (batch, added) = parts.BatchFeatures(hidden);
        _net = Sequential([
            parts.Layer(Linear(features, hidden)), LeakyReLU(0.01),
            parts.Layer(Linear(hidden, hidden)), LeakyReLU(0.01),
            .. batch,
            parts.Layer(Linear(hidden + added, 1))]);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => _net.forward(x.flatten(1));
}
