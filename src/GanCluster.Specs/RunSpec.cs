namespace GanCluster.Specs;

/// <summary>One training run, as stated in a YAML run spec. Immutable once validated.</summary>
public sealed record RunSpec
{
    public required string Name { get; init; }
    public required long Seed { get; init; }
    public required int Steps { get; init; }
    public required int BatchSize { get; init; }
    public required string Device { get; init; }
    public required int Threads { get; init; }
    public required ModelSpec Model { get; init; }
    public required DatasetSpec Dataset { get; init; }
    public required LossSpec Loss { get; init; }
    public required LabelSpec Labels { get; init; }

    /// <summary>Differentiable augmentation of every image D sees (<c>augment</c>); off by default.</summary>
    public AugmentSpec Augment { get; init; } = AugmentSpec.None;
    public required OptimizerSpec GeneratorOptimizer { get; init; }
    public required OptimizerSpec DiscriminatorOptimizer { get; init; }
    public EmaSpec? Ema { get; init; }
    public required int DiscriminatorStepsPerGeneratorStep { get; init; }

    /// <summary>
    /// Each rank's shard is processed in this many micro-batches whose gradients are accumulated before a step
    /// (gradient accumulation). Rows, noise and BatchNorm statistics per micro-batch are exactly those of a
    /// run with <c>world size × micro_batches</c> ranks, so one process can emulate a data-parallel run.
    /// </summary>
    public int MicroBatches { get; init; } = 1;
    public required int ReportEvery { get; init; }
    public required int CheckpointEvery { get; init; }
    public required int KeepCheckpoints { get; init; }
    public required int SampleEvery { get; init; }
    public required int SampleCount { get; init; }
    public required HealthSpec Health { get; init; }

    /// <summary>
    /// Checkpoints kept by the value of one metric at the periodic evaluations, besides the newest ones (<c>keep_best</c>).
    /// Without the field a run keeps its one best by its dataset's quality metric; <c>keep_best: none</c> (null) keeps none.
    /// </summary>
    public BestCheckpointSpec? KeepBest { get; init; }

    /// <summary>How data-parallel ranks exchange gradients (<c>data_parallel</c>); exact float32 by default.</summary>
    public DataParallelSpec DataParallel { get; init; } = DataParallelSpec.Exact;

    /// <summary>
    /// The one rule for sharding: the global batch splits into equal rows for every rank and micro-batch of every
    /// rank. The loader checks it for the world size it is given; hosts check it again for the ring they join.
    /// </summary>
    public void RequireShardable(int worldSize, string file = "<spec>")
    {
        if (worldSize < 1)
            throw new ArgumentOutOfRangeException(nameof(worldSize), worldSize, "a world has at least one rank");
        // In 64 bits: a huge world size times micro-batches must be refused, not wrap around.
        var shards = (long)worldSize * MicroBatches;
        if (BatchSize % shards != 0)
            throw new SpecException(file, "batch_size", null,
                $"a multiple of {worldSize} rank(s) × {MicroBatches} micro-batch(es) = {shards}", BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // D sees a micro-batch's rows in packs, and the minibatch standard deviation groups the packed rows.
        var anti = Model.AntiCollapse;
        var rows = BatchSize / shards;
        var packed = rows / anti.Pack;
        var group = anti.MinibatchStddevGroup;
        if (rows % anti.Pack != 0 || group > 0 && packed % Math.Min(group, packed) != 0)
            throw new SpecException(file, "batch_size", null,
                $"rows per rank and micro-batch ({BatchSize} / {shards} = {rows}) that split into packs of {anti.Pack}" + (group > 0 ? $" and then into minibatch_stddev groups of {group}" : ""),
                BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}

/// <summary>
/// <c>keep_best: { metric: fd, goal: min, count: 1 }</c>: at each periodic evaluation whose value of
/// <paramref name="Metric"/> (a name of metrics.jsonl, see <see cref="Sweeps.SweepMetric.Known"/>) is among the
/// <paramref name="Count"/> best so far, the run's state is written to <c>checkpoints/best/</c>, and the others there are pruned.
/// </summary>
public sealed record BestCheckpointSpec(string Metric, Sweeps.MetricGoal Goal, int Count)
{
    public Sweeps.SweepMetric AsMetric => new(Metric, Goal);

    /// <summary>The default: the one best checkpoint by the dataset's quality metric (<see cref="Sweeps.SweepMetric.QualityOf"/>).</summary>
    public static BestCheckpointSpec QualityOf(DatasetKind kind)
    {
        var quality = Sweeps.SweepMetric.QualityOf(kind);
        return new(quality.Name, quality.Goal, 1);
    }
}

/// <summary>
/// A model by name and size. <paramref name="DiscriminatorHidden"/> widens (or narrows) D apart from G; without it D
/// takes <paramref name="Hidden"/> too. With <paramref name="Classes"/> &gt; 0 the GAN is class-conditional (Mirza &amp;
/// Osindero's cGAN): G reads a one-hot label after its noise, and D reads the label as constant input channels.
/// </summary>
public sealed record ModelSpec(ModelKind Name, int LatentDim, int Hidden, int Layers, int? DiscriminatorHidden = null, int Classes = 0)
{
    /// <summary>D's anti-collapse techniques (<c>model.pack</c>, <c>minibatch_stddev</c>, <c>minibatch_discrimination</c>, <c>spectral_norm</c>).</summary>
    public AntiCollapseSpec AntiCollapse { get; init; } = AntiCollapseSpec.None;

    /// <summary>D's width: <see cref="DiscriminatorHidden"/> when the spec sets it, else G's.</summary>
    public int DHidden => DiscriminatorHidden ?? Hidden;

    public bool IsConditional => Classes > 0;
}

public sealed record DatasetSpec(DatasetKind Kind, string? Path, string Split, int ImageSize, int Channels, int? Limit);

public sealed record LossSpec(LossKind Kind, double GradientPenaltyWeight, double R1Gamma)
{
    /// <summary>A gradient penalty (WGAN-GP, R1) differentiates D's input gradient again: D needs a double backward.</summary>
    public bool DifferentiatesDiscriminatorTwice => GradientPenaltyWeight > 0 || R1Gamma > 0;
}

/// <summary>Label tricks: one-sided smoothing of real targets, random flips, and decaying instance noise.</summary>
public sealed record LabelSpec(double RealTarget, double FlipProbability, double InstanceNoise, int InstanceNoiseDecaySteps);

/// <summary>
/// DiffAugment (Zhao et al. 2020) for image datasets: <paramref name="Translation"/> shifts by up to that fraction of the side
/// (DiffAugment uses 1/8), <paramref name="Cutout"/> zeroes a square of that fraction of the side (1/2), and
/// <paramref name="Color"/> draws brightness, saturation and contrast. For small datasets, where D memorises the images.
/// </summary>
public sealed record AugmentSpec(double Translation, double Cutout, bool Color)
{
    public static readonly AugmentSpec None = new(0, 0, false);

    public bool IsOn => Translation > 0 || Cutout > 0 || Color;
}

/// <summary>An optimizer; with <paramref name="EndLearningRate"/> the rate falls linearly from <paramref name="LearningRate"/> at step 0 to it at the run's last step.</summary>
public sealed record OptimizerSpec(OptimizerKind Kind, double LearningRate, double Beta1, double Beta2, double Alpha, double Momentum, double WeightDecay, double? EndLearningRate = null);

public sealed record EmaSpec(double Decay, int StartStep);

/// <summary>
/// Health monitoring: the oscillation window (in reports), the periodic evaluation's cadence and sample count, and
/// what a cluster does with a <c>collapsed</c> verdict: <c>flag</c> it and go on (default), or <c>stop</c> the run.
/// </summary>
public sealed record HealthSpec(int Window, int EvalEvery, int EvalSamples, CollapsePolicy OnCollapse = CollapsePolicy.Flag);

/// <summary>
/// Anti-collapse techniques of the discriminator, each off by default:
/// <list type="bullet">
/// <item><c>pack: m</c>, PacGAN (Lin et al. 2018): D judges m samples at once;</item>
/// <item><c>minibatch_stddev: g</c> (Karras et al. 2018): the mean standard deviation over groups of g rows becomes one more feature before D's last layer;</item>
/// <item><c>minibatch_discrimination: { kernels: B, dims: C }</c> (Salimans et al. 2016): B closeness features to the other rows, before D's last layer;</item>
/// <item><c>spectral_norm: true</c> (Miyato et al. 2018): every weighted layer of D divided by its largest singular value.</item>
/// </list>
/// Batch statistics stay within one rank's micro-batch, as BatchNorm's do.
/// </summary>
public sealed record AntiCollapseSpec(int Pack, int MinibatchStddevGroup, int MinibatchKernels, int MinibatchKernelDims, bool SpectralNorm)
{
    public static readonly AntiCollapseSpec None = new(1, 0, 0, 5, false);
}

/// <summary>
/// How the ranks of a data-parallel run exchange gradients. <paramref name="Compression"/> <c>bf16</c> sends them in
/// bfloat16 (half the bytes) and still adds them in float32; parameters stay bitwise identical across ranks. BatchNorm
/// buffers, losses and the initial broadcast stay exact. With <paramref name="Overlap"/> a network's gradients travel
/// in buckets of about <paramref name="BucketMegabytes"/>, each reduced while backward is still computing the layers
/// before it (as PyTorch DDP does); without it, all of them after backward.
/// </summary>
public sealed record DataParallelSpec(GradientCompression Compression, bool Overlap = true, double BucketMegabytes = DataParallelSpec.DefaultBucketMegabytes)
{
    public const double DefaultBucketMegabytes = 1;

    public static readonly DataParallelSpec Exact = new(GradientCompression.None);
}

public enum GradientCompression
{
    None,
    Bf16,
}
