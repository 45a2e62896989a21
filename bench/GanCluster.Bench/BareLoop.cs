using GanCluster.Training.Models;
using GanCluster.Specs;
using TorchSharp;
using static TorchSharp.torch;

namespace GanCluster.Bench;

/// <summary>
/// The baseline: the PyTorch DCGAN-example loop written directly against TorchSharp, for the same
/// networks, batch and optimizers, with nothing of GanCluster's around it (no seeded streams, no
/// label policy, no dataset abstraction).
/// </summary>
internal sealed class BareLoop : IDisposable
{
    private readonly GanNetworks _nets;
    private readonly optim.Optimizer _optG;
    private readonly optim.Optimizer _optD;
    private readonly Tensor _data;
    private readonly int _batch;

    public BareLoop(RunSpec spec, Tensor imagesInUnitRange)
    {
        manual_seed(spec.Seed);
        _nets = ModelFactory.Create(spec.Model, imagesInUnitRange.shape[1..], spec.Loss.DifferentiatesDiscriminatorTwice);
        _optG = optim.Adam(_nets.Generator.parameters(), spec.GeneratorOptimizer.LearningRate, spec.GeneratorOptimizer.Beta1, spec.GeneratorOptimizer.Beta2);
        _optD = optim.Adam(_nets.Discriminator.parameters(), spec.DiscriminatorOptimizer.LearningRate, spec.DiscriminatorOptimizer.Beta1, spec.DiscriminatorOptimizer.Beta2);
        _data = imagesInUnitRange;
        _batch = spec.BatchSize;
    }

    public void Step()
    {
        using var scope = NewDisposeScope();
        var index = randint(0, _data.shape[0], [_batch], dtype: ScalarType.Int64);
        var real = _data.index_select(0, index);
        var z = randn(_batch, _nets.LatentDim);
        var ones = torch.ones(_batch, 1);
        var zeros = torch.zeros(_batch, 1);

        _optD.zero_grad();
        var fake = _nets.Generator.forward(z);
        var lossD = nn.functional.binary_cross_entropy_with_logits(_nets.Discriminator.forward(real), ones)
                    + nn.functional.binary_cross_entropy_with_logits(_nets.Discriminator.forward(fake.detach()), zeros);
        lossD.backward();
        _optD.step();

        _optG.zero_grad();
        var lossG = nn.functional.binary_cross_entropy_with_logits(_nets.Discriminator.forward(fake), ones);
        lossG.backward();
        _optG.step();
    }

    public void Dispose()
    {
        _optG.Dispose();
        _optD.Dispose();
        _nets.Dispose();
    }
}
