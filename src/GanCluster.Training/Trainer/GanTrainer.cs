using GanCluster.Training.Models.AntiCollapse;
using GanCluster.Training.Data;
using GanCluster.Training.Losses;
using GanCluster.Training.Models;
using GanCluster.Training.Optim;
using GanCluster.Training.Runtime;
using GanCluster.Specs;
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
    private readonly ShardSlice[] _micro;
    private readonly GanLoss _loss;
    private readonly LabelPolicy _labels;
    private readonly DiffAugment _augment;
    private readonly Generator _random = new(0);

    public GanTrainer(RunSpec spec, IGanDataset dataset, ShardSlice shard)
    {
        shard.Validate();
        _spec = spec;
        _dataset = dataset;
        _shard = shard;
        spec.RequireShardable(shard.WorldSize);
        _micro = Enumerable.Range(0, spec.MicroBatches)
            .Select(m => new ShardSlice(shard.Rank * spec.MicroBatches + m, shard.WorldSize * spec.MicroBatches, shard.GlobalBatch))
            .ToArray();
        Device = DeviceSelector.Select(spec.Device);
        if (spec.Threads > 0)
            set_num_threads(spec.Threads);

        if (spec.Model.IsConditional && dataset.ClassCount is var found && (found == 0 || found > spec.Model.Classes))
            throw new ArgumentException(found == 0
                ? $"model.classes is {spec.Model.Classes}, but the {spec.Dataset.Kind} dataset has no class labels"
                : $"the dataset's labels name {found} classes, but model.classes is {spec.Model.Classes}");
        manual_seed(spec.Seed);
        Networks = ModelFactory.Create(spec.Model, dataset.SampleShape, spec.Loss.DifferentiatesDiscriminatorTwice);
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
        _augment = new DiffAugment(spec.Augment, spec.Seed);
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

    /// <summary>The peers of a data-parallel run; null for a single process.</summary>
    public IDataParallelSync? Sync { get; set; }

    /// <summary>Runs one G step and its D steps; reads scalars from the device only when <paramref name="report"/> is set.</summary>
    public StepReport? TrainStep(bool report)
    {
        using var scope = NewDisposeScope();
        var g = Networks.Generator;
        var d = Networks.Discriminator;
        var micro = _micro.Length;
        var fakes = new Tensor[micro];
        var fakeNoises = new Tensor?[micro];
        var reals = new Tensor[micro];
        Tensor lossD = null!, onReal = null!, onFake = null!, gradNormD = null!;

        for (var k = 0; k < _spec.DiscriminatorStepsPerGeneratorStep; k++)
        {
            var batch = DataCursor + k;
            var last = k == _spec.DiscriminatorStepsPerGeneratorStep - 1;
            // Spectral normalisation's power iteration: once per D step, whatever the micro-batches or passes.
            SpectralNorm.UpdateAll(d);
            DiscriminatorOptimizer.zero_grad();
            for (var m = 0; m < micro; m++)
            {
                var shard = _micro[m];
                var real = _dataset.Batch(batch, shard, Device);
                var realLabels = Networks.Classes > 0 ? _dataset.BatchLabels(batch, shard, Device) : null;
                var z = Latent(RandomStream.DiscriminatorNoise, batch, shard);
                Tensor generated;
                using (var _ = last ? null : no_grad())
                    generated = g.forward(z);

                var realSeen = _augment.Apply(real, batch, AugmentPass.Real, shard, _random);
                var realInput = _labels.InstanceNoise(Step, batch, 0, shard, _dataset.SampleShape, Device, _random) is { } rn ? realSeen + rn : realSeen;
                var fakeNoise = _labels.InstanceNoise(Step, batch, 1, shard, _dataset.SampleShape, Device, _random);
                var fakeSeen = _augment.Apply(generated.detach(), batch, AugmentPass.Fake, shard, _random);
                var fakeInput = fakeNoise is null ? fakeSeen : fakeSeen + fakeNoise;
                if (_spec.Loss.R1Gamma > 0)
                    realInput = realInput.detach().requires_grad_(true);

                Networks.Dropout.Begin(_spec.Seed, batch, DropoutPass.Real, shard);
                var realLogits = Discriminate(realInput, realLabels);
                Networks.Dropout.Begin(_spec.Seed, batch, DropoutPass.Fake, shard);
                var fakeLogits = Discriminate(fakeInput, FakeLabels(shard));
                var (realTargets, fakeTargets) = _labels.Targets(batch, shard, Device, _random);
                var loss = _loss.Discriminator(realLogits, fakeLogits, realTargets, fakeTargets);
                if (_spec.Loss.GradientPenaltyWeight > 0)
                {
                    _random.manual_seed(SeedMixer.Mix(_spec.Seed, (long)RandomStream.GradientPenalty, batch));
                    var mixing = rand([shard.GlobalBatch], generator: _random).narrow(0, shard.Start, shard.Length).to(Device);
                    Networks.Dropout.Begin(_spec.Seed, batch, DropoutPass.GradientPenalty, shard);
                    loss = loss + GradientPenalties.Wasserstein(d, real, generated, mixing, _spec.Loss.GradientPenaltyWeight, _spec.Model.AntiCollapse.Pack);
                }
                if (_spec.Loss.R1Gamma > 0)
                    loss = loss + GradientPenalties.R1(realLogits, realInput, _spec.Loss.R1Gamma, _spec.Model.AntiCollapse.Pack);
                if (m == micro - 1)
                    Sync?.BeforeBackward(NetworkRole.Discriminator, Step);
                (micro == 1 ? loss : loss / micro).backward();
                if (report && last)
                {
                    lossD = Sum(lossD, loss.detach());
                    onReal = Sum(onReal, (_loss.UsesLabels ? realLogits.sigmoid() : realLogits).mean().detach());
                    onFake = Sum(onFake, (_loss.UsesLabels ? fakeLogits.sigmoid() : fakeLogits).mean().detach());
                }
                if (last)
                    (fakes[m], fakeNoises[m], reals[m]) = (generated, fakeNoise, real);
            }
            Sync?.AverageGradients(NetworkRole.Discriminator, Step);
            if (report && last)
                gradNormD = GlobalGradNorm(d);
            LearningRateSchedule.Apply(DiscriminatorOptimizer, _spec.DiscriminatorOptimizer, Step, _spec.Steps);
            DiscriminatorOptimizer.step();
        }

        GeneratorOptimizer.zero_grad();
        Tensor lossG = null!;
        var lastBatch = DataCursor + _spec.DiscriminatorStepsPerGeneratorStep - 1;
        for (var m = 0; m < micro; m++)
        {
            Networks.Dropout.Begin(_spec.Seed, lastBatch, DropoutPass.Generator, _micro[m]);
            var seen = _augment.Apply(fakes[m], lastBatch, AugmentPass.Generator, _micro[m], _random);
            var loss = _loss.Generator(Discriminate(fakeNoises[m] is { } noise ? seen + noise : seen, FakeLabels(_micro[m])));
            if (m == micro - 1)
                Sync?.BeforeBackward(NetworkRole.Generator, Step);
            (micro == 1 ? loss : loss / micro).backward();
            if (report)
                lossG = Sum(lossG, loss.detach());
        }
        Sync?.AverageGradients(NetworkRole.Generator, Step);
        var gradNormG = report ? GlobalGradNorm(g) : null;
        LearningRateSchedule.Apply(GeneratorOptimizer, _spec.GeneratorOptimizer, Step, _spec.Steps);
        GeneratorOptimizer.step();
        Sync?.SynchronizeBuffers(Step);
        Ema?.Update(Step);
        Step++;

        if (!report)
            return null;
        var diversity = MeanPairwiseDistance(fakes[0].detach()) / MeanPairwiseDistance(reals[0]);
        float[] values = [lossD.ToSingle() / micro, lossG.ToSingle() / micro, onReal.ToSingle() / micro, onFake.ToSingle() / micro, diversity.ToSingle()];
        Sync?.AverageScalars(values, Step);
        return new StepReport(Step, values[0], values[1], values[2], values[3], gradNormD.ToSingle(), gradNormG!.ToSingle(), values[4]);
    }

    /// <summary>Running sum over micro-batches of a reported scalar (null before the first).</summary>
    private static Tensor Sum(Tensor? total, Tensor value) => total is null ? value : total + value;

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
        LatentSampler.Sample(_random, _spec.Seed, stream, batch, Networks.Prior, Networks.LatentDim, shard ?? _shard, Device, Networks.Classes);

    /// <summary>The labels G was given for the shard's rows (those <see cref="Latent"/> appended), or null when unconditional.</summary>
    private Tensor? FakeLabels(ShardSlice shard) =>
        Networks.Classes > 0 ? ClassConditioning.CycledLabels(shard, Networks.Classes, Device) : null;

    /// <summary>D's logits for samples, given their labels when the GAN is class-conditional.</summary>
    private Tensor Discriminate(Tensor samples, Tensor? labels) =>
        Networks.Discriminator.forward(labels is null ? samples : ClassConditioning.Sample(samples, labels, Networks.Classes));

    public void Dispose()
    {
        GeneratorOptimizer.Dispose();
        DiscriminatorOptimizer.Dispose();
        Ema?.Average.Dispose();
        Networks.Dispose();
        _random.Dispose();
    }
}
