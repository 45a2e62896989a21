using GanCluster.Training.Models.AntiCollapse;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanCluster.Training.Models;

/// <summary>An MLP generator of 2D points for the Gaussian-mixture benchmarks: ReLU hidden layers, linear output.</summary>
internal sealed class ToyGenerator : Module<Tensor, Tensor>
{
    private readonly Sequential _net;

    public ToyGenerator(int latentDim, int hidden, int layers) : base(nameof(ToyGenerator))
    {
        var modules = new List<Module<Tensor, Tensor>> { Linear(latentDim, hidden), ReLU() };
        for (var i = 1; i < layers; i++)
            modules.AddRange([Linear(hidden, hidden), ReLU()]);
        modules.Add(Linear(hidden, 2));
        _net = Sequential(modules);
        RegisterComponents();
    }

    public override Tensor forward(Tensor z) => _net.forward(z);
}

/// <summary>An MLP discriminator of 2D points: LeakyReLU(0.2) hidden layers, one logit.</summary>
internal sealed class ToyDiscriminator : Module<Tensor, Tensor>
{
    private readonly Sequential _net;

    public ToyDiscriminator(long inputs, int hidden, int layers, DiscriminatorParts parts) : base(nameof(ToyDiscriminator))
    {
        var modules = new List<Module<Tensor, Tensor>> { parts.Layer(Linear(inputs, hidden)), LeakyReLU(0.2) };
        for (var i = 1; i < layers; i++)
            modules.AddRange([parts.Layer(Linear(hidden, hidden)), LeakyReLU(0.2)]);
        var (batch, added) = parts.BatchFeatures(hidden);
        modules.AddRange(batch);
        modules.Add(parts.Layer(Linear(hidden + added, 1)));
        _net = Sequential(modules);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => _net.forward(x);
}
