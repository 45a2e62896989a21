using GanCluster.Training.Checkpoints;
using GanCluster.Training.Data;
using GanCluster.Training.Models;
using GanCluster.Specs;
using static TorchSharp.torch;

namespace GanCluster.Training.Trainer;

/// <summary>How a generator with BatchNorm normalises when sampling.</summary>
public enum NormStatistics
{
    /// <summary>The running averages stored in the checkpoint (eval mode).</summary>
    Running,

    /// <summary>
    /// "Standing statistics" (BigGAN): the averages recomputed from many latent batches through these very
    /// weights before sampling. The EMA generator needs them: its stored running averages were accumulated by
    /// the live G's weights, not by the averaged ones.
    /// </summary>
    Standing,
}

/// <summary>
/// The generator of a checkpoint, alone: rebuilt from the checkpoint's own spec, with the EMA weights
/// when the run kept an EMA (or the live G when asked), in eval mode. No dataset, discriminator or optimizer is loaded.
/// </summary>
public sealed class CheckpointGenerator : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _generator;
    private readonly Generator _random = new(0);
    private readonly LatentPrior _prior;

    public CheckpointGenerator(Checkpoint checkpoint, string path, bool preferEma = true, NormStatistics norm = NormStatistics.Running)
    {
        Spec = RunSpecLoader.LoadText(checkpoint.SpecYaml, path + " (embedded spec)").Spec;
        // The spec's thread count, as in training: libtorch's reductions split by thread, so the same samples need the same threads.
        if (Spec.Threads > 0)
            set_num_threads(Spec.Threads);
        SampleShape = DatasetFactory.SampleShape(Spec.Dataset);
        UsesEma = preferEma && checkpoint.Entries.Any(e => e.Network == "ema");
        _prior = Spec.Model.Name == ModelKind.Vanilla ? LatentPrior.Uniform : LatentPrior.Normal;
        _generator = ModelFactory.CreateGenerator(Spec.Model, SampleShape);
        TrainerState.RestoreModule(checkpoint, path, UsesEma ? "ema" : "g", _generator);
        if (norm == NormStatistics.Standing)
            RecomputeNormStatistics();
        _generator.eval();
    }

    /// <summary>Batches of <see cref="StandingBatchSize"/> latents used for standing statistics.</summary>
    public const int StandingBatches = 50, StandingBatchSize = 256;

    private void RecomputeNormStatistics()
    {
        var norms = _generator.modules().OfType<TorchSharp.Modules.BatchNorm>().ToList();
        if (norms.Count == 0)
            return;
        foreach (var norm in norms)
        {
            norm.reset_running_stats();
            norm.momentum = null; // a cumulative average over all the batches below
        }
        _generator.train();
        using var _ = no_grad();
        for (var i = 0; i < StandingBatches; i++)
        {
            using var scope = NewDisposeScope();
            var z = LatentSampler.Sample(_random, Spec.Seed, RandomStream.StandingStatistics, i, _prior, Spec.Model.LatentDim, ShardSlice.Single(StandingBatchSize), CPU, Spec.Model.Classes);
            _generator.forward(z);
        }
    }

    public RunSpec Spec { get; }
    public long[] SampleShape { get; }
    public bool UsesEma { get; }

    /// <summary>
    /// <paramref name="count"/> samples on the CPU, in batches, from latent batch <paramref name="index"/> of the sample stream;
    /// a class-conditional G draws class <paramref name="onlyClass"/> for every row when it is given, else cycles through the classes.
    /// </summary>
    public Tensor Generate(int count, long index = 0, int? onlyClass = null)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var classes = Spec.Model.Classes;
        if (onlyClass is { } c && (classes == 0 || c < 0 || c >= classes))
            throw new ArgumentException(classes == 0
                ? $"a class was asked for, but this checkpoint's generator is unconditional (model.classes is 0)"
                : $"class {c} is out of range: this generator draws classes 0 to {classes - 1}");
        var shard = ShardSlice.Single(count);
        var noise = LatentSampler.Sample(_random, Spec.Seed, RandomStream.FixedSampleNoise, index, _prior, Spec.Model.LatentDim, shard, CPU);
        var z = classes == 0 ? noise : ClassConditioning.Latent(noise,
            onlyClass is { } only ? full(count, only, ScalarType.Int64) : ClassConditioning.CycledLabels(shard, classes, CPU), classes);
        var parts = z.split(512).Select(chunk => _generator.forward(chunk)).ToList();
        return cat(parts, 0).MoveToOuterDisposeScope();
    }

    /// <summary>The labels <see cref="Generate"/> gives a class-conditional G for its <paramref name="count"/> rows, or null when unconditional.</summary>
    public Tensor? GivenLabels(int count) => ClassConditioning.SampleLabels(count, Spec.Model.Classes);

    public void Dispose()
    {
        _generator.Dispose();
        _random.Dispose();
    }
}
