using GanCluster.Training.Data;
using GanCluster.Training.Losses;
using GanCluster.Training.Models;
using GanCluster.Training.Optim;
using GanCluster.Training.Runtime;
using GanCluster.Training.Spec;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanCluster.Training.Trainer;

/// <summary>
/// Alternating GAN updates for one rank: <c>d_steps</c> D updates, then one G update that reuses the
/// last D step's fakes, then the EMA update. Every random draw is seeded from (seed, stream, global
/// batch) and sliced to this rank's shard, so a step is a pure function of the state and the spec.
/// </summary>
public sealed class GanTrainer : IDisposable
{
    private readonly RunSpec _spec;
    private readonly IGanDataset _dataset;
    private readonly ShardSlice _shard;
    private readonly GanLoss _loss;
    private readonly LabelPolicy _labels;
    private readonly Generator _random = new(0);

    public GanTrainer(RunSpec spec, IGanDataset dataset, ShardSlice shard)
    {
        shard.Validate();
        _spec = spec;
        _dataset = dataset;
        _shard = shard;
        Device = DeviceSelector.Select(spec.Device);
        if (spec.Threads > 0)
            set_num_threads(spec.Threads);

        manual_seed(spec.Seed);
        Networks = ModelFactory.Create(spec.Model, dataset.SampleShape);
        Networks.Generator.to(Device);
        Networks.Discriminator.to(Device);
        if (spec.Ema is { } ema)
        {
            var average = ModelFactory.CreateGenerator(spec.Model, dataset.SampleShape).to(Device);
            average.eval();
            Ema = new ExponentialMovingAverage(Networks.Generator, average, ema.Decay, ema.StartStep);
            Ema.Reset();
        }
        GeneratorOptimizer = OptimizerFactory.Create(spec.GeneratorOptimizer, Networks.Generator.parameters());
        DiscriminatorOptimizer = OptimizerFactory.Create(spec.DiscriminatorOptimizer, Networks.Discriminator.parameters());
        _loss = GanLoss.Create(spec.Loss.Kind);
        _labels = new LabelPolicy(spec.Labels, spec.Seed);
    }

    public RunSpec Spec => _spec;
    public Device Device { get; }
    public GanNetworks Networks { get; }
    public ExponentialMovingAverage? Ema { get; }
    public OptimizerHelper GeneratorOptimizer { get; }
    public OptimizerHelper DiscriminatorOptimizer { get; }

    /// <summary>Completed G steps.</summary>
    public long Step { get; internal set; }

    /// <summary>The next global batch index the sampler will draw.</summary>
    public long DataCursor => Step * _spec.DiscriminatorStepsPerGeneratorStep;

    /// <summary>Runs one G step and its D steps; reads scalars from the device only when <paramref name="report"/> is set.</summary>
    public StepReport? TrainStep(bool report)
    {
        using var scope = NewDisposeScope();
        var g = Networks.Generator;
        var d = Networks.Discriminator;
        Tensor fake = null!, lossD = null!, realLogits = null!, fakeLogits = null!, lastReal = null!, gradNormD = null!;
        Tensor? fakeNoise = null;

        for (var k = 0; k < _spec.DiscriminatorStepsPerGeneratorStep; k++)
        {
            var batch = DataCursor + k;
            var last = k == _spec.DiscriminatorStepsPerGeneratorStep - 1;
            var real = _dataset.Batch(batch, _shard, Device);
            var z = Latent(RandomStream.DiscriminatorNoise, batch);
            Tensor generated;
            using (var _ = last ? null : no_grad())
                generated = g.forward(z);

            var realInput = _labels.InstanceNoise(Step, batch, 0, _shard, _dataset.SampleShape, Device, _random) is { } rn ? real + rn : real;
            fakeNoise = _labels.InstanceNoise(Step, batch, 1, _shard, _dataset.SampleShape, Device, _random);
            var fakeInput = fakeNoise is null ? generated.detach() : generated.detach() + fakeNoise;
            if (_spec.Loss.R1Gamma > 0)
                realInput = realInput.detach().requires_grad_(true);

            DiscriminatorOptimizer.zero_grad();
            realLogits = d.forward(realInput);
            fakeLogits = d.forward(fakeInput);
            var (realTargets, fakeTargets) = _labels.Targets(batch, _shard, Device, _random);
            lossD = _loss.Discriminator(realLogits, fakeLogits, realTargets, fakeTargets);
            if (_spec.Loss.GradientPenaltyWeight > 0)
            {
                _random.manual_seed(SeedMixer.Mix(_spec.Seed, (long)RandomStream.GradientPenalty, batch));
                var mixing = rand([_shard.GlobalBatch], generator: _random).narrow(0, _shard.Start, _shard.Length).to(Device);
                lossD = lossD + GradientPenalties.Wasserstein(d, real, generated, mixing, _spec.Loss.GradientPenaltyWeight);
            }
            if (_spec.Loss.R1Gamma > 0)
                lossD = lossD + GradientPenalties.R1(realLogits, realInput, _spec.Loss.R1Gamma);
            lossD.backward();
            if (report && last)
                gradNormD = GlobalGradNorm(d);
            LearningRateSchedule.Apply(DiscriminatorOptimizer, _spec.DiscriminatorOptimizer, Step, _spec.Steps);
            DiscriminatorOptimizer.step();
            if (last)
                (fake, lastReal) = (generated, real);
        }

        GeneratorOptimizer.zero_grad();
        var lossG = _loss.Generator(d.forward(fakeNoise is null ? fake : fake + fakeNoise));
        lossG.backward();
        var gradNormG = report ? GlobalGradNorm(g) : null;
        LearningRateSchedule.Apply(GeneratorOptimizer, _spec.GeneratorOptimizer, Step, _spec.Steps);
        GeneratorOptimizer.step();
        Ema?.Update(Step);
        Step++;

        if (!report)
            return null;
        var (onReal, onFake) = _loss.UsesLabels
            ? (realLogits.sigmoid().mean(), fakeLogits.sigmoid().mean())
            : (realLogits.mean(), fakeLogits.mean());
        var diversity = MeanPairwiseDistance(fake.detach()) / MeanPairwiseDistance(lastReal);
        return new StepReport(Step, lossD.ToSingle(), lossG.ToSingle(), onReal.ToSingle(), onFake.ToSingle(),
            gradNormD.ToSingle(), gradNormG!.ToSingle(), diversity.ToSingle());
    }

    /// <summary>Whether every parameter of G, D and the EMA is finite; checked before a checkpoint is written.</summary>
    public bool ParametersAreFinite()
    {
        using var scope = NewDisposeScope();
        var modules = new List<nn.Module> { Networks.Generator, Networks.Discriminator };
        if (Ema is not null)
            modules.Add(Ema.Average);
        return modules.SelectMany(m => m.parameters()).All(p => p.isfinite().all().ToBoolean());
    }

    private static Tensor GlobalGradNorm(nn.Module module) =>
        stack(module.parameters().Where(p => p.grad is not null).Select(p => p.grad!.pow(2).sum())).sum().sqrt();

    /// <summary>Mean Euclidean distance between distinct rows of a batch.</summary>
    private static Tensor MeanPairwiseDistance(Tensor batch)
    {
        var flat = batch.flatten(1);
        var n = flat.shape[0];
        return cdist(flat, flat).sum() / Math.Max(1, n * (n - 1));
    }

    /// <summary>G's output on a fixed latent batch (the EMA generator when there is one), on the CPU.</summary>
    public Tensor GenerateFixedSamples(int count) => GenerateSamples(count, 0);

    /// <summary>G's output (the EMA generator when there is one) on latent batch <paramref name="index"/> of the sample stream, on the CPU.</summary>
    public Tensor GenerateSamples(int count, long index)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var g = Ema?.Average ?? Networks.Generator;
        var wasTraining = g.training;
        g.eval();
        var z = Latent(RandomStream.FixedSampleNoise, index, ShardSlice.Single(count));
        var samples = g.forward(z).cpu();
        if (wasTraining)
            g.train();
        return samples.MoveToOuterDisposeScope();
    }

    private Tensor Latent(RandomStream stream, long batch, ShardSlice? shard = null) =>
        LatentSampler.Sample(_random, _spec.Seed, stream, batch, Networks.Prior, Networks.LatentDim, shard ?? _shard, Device);

    public void Dispose()
    {
        GeneratorOptimizer.Dispose();
        DiscriminatorOptimizer.Dispose();
        Ema?.Average.Dispose();
        Networks.Dispose();
        _random.Dispose();
    }
}
