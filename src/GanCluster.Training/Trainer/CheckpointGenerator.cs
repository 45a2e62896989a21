using GanCluster.Training.Checkpoints;
using GanCluster.Training.Data;
using GanCluster.Training.Models;
using GanCluster.Training.Spec;
using static TorchSharp.torch;

namespace GanCluster.Training.Trainer;

/// <summary>
/// The generator of a checkpoint, alone: rebuilt from the checkpoint's own spec, with the EMA weights
/// when the run kept an EMA, in eval mode. No dataset, discriminator or optimizer is loaded.
/// </summary>
public sealed class CheckpointGenerator : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _generator;
    private readonly Generator _random = new(0);
    private readonly LatentPrior _prior;

    public CheckpointGenerator(Checkpoint checkpoint, string path)
    {
        Spec = RunSpecLoader.LoadText(checkpoint.SpecYaml, path + " (embedded spec)").Spec;
        SampleShape = DatasetFactory.SampleShape(Spec.Dataset);
        UsesEma = checkpoint.Entries.Any(e => e.Network == "ema");
        _prior = Spec.Model.Name == "vanilla" ? LatentPrior.Uniform : LatentPrior.Normal;
        _generator = ModelFactory.CreateGenerator(Spec.Model, SampleShape);
        TrainerState.RestoreModule(checkpoint, path, UsesEma ? "ema" : "g", _generator);
        _generator.eval();
    }

    public RunSpec Spec { get; }
    public long[] SampleShape { get; }
    public bool UsesEma { get; }

    /// <summary><paramref name="count"/> samples on the CPU, in batches, from latent batch <paramref name="index"/> of the sample stream.</summary>
    public Tensor Generate(int count, long index = 0)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var z = LatentSampler.Sample(_random, Spec.Seed, RandomStream.FixedSampleNoise, index, _prior, Spec.Model.LatentDim, ShardSlice.Single(count), CPU);
        var parts = z.split(512).Select(chunk => _generator.forward(chunk)).ToList();
        return cat(parts, 0).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        _generator.Dispose();
        _random.Dispose();
    }
}
