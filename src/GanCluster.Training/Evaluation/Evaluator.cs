using TorchSharp;
using System.Text.Json;
using GanCluster.Training.Checkpoints;
using GanCluster.Training.Trainer;
using static TorchSharp.torch;

namespace GanCluster.Training.Evaluation;

/// <summary>
/// A trained evaluator: its classifier network in eval mode and the reference features of the real
/// training images (their mean and covariance over the whole set, and a seeded subset of individual
/// vectors for KID and the k-NN metrics). Judges images in [-1, 1], the generators' output range.
/// </summary>
public sealed class Evaluator : IDisposable
{
    private const int BatchSize = 500;
    private const string InfoEntry = "info";

    private readonly EvaluatorNetwork _network;
    private readonly Tensor _referenceFeatures;
    private readonly Tensor _referenceMean;
    private readonly Tensor _referenceCovariance;

    internal Evaluator(EvaluatorInfo info, EvaluatorNetwork network, Tensor referenceFeatures, Tensor referenceMean, Tensor referenceCovariance)
    {
        Info = info;
        _network = network;
        _network.eval();
        _referenceFeatures = referenceFeatures;
        _referenceMean = referenceMean;
        _referenceCovariance = referenceCovariance;
    }

    public EvaluatorInfo Info { get; internal set; }

    public long ReferenceCount => _referenceFeatures.shape[0];

    /// <summary>The Fréchet distance of the best constant image: tr(Σ) of the real features (<see cref="ImageQuality.ConstantBaseline"/>).</summary>
    public double ConstantBaseline => _referenceCovariance.trace().ToDouble();

    public long[] SampleShape => [Info.Channels, Info.ImageSize, Info.ImageSize];

    /// <summary>Features and logits of images [N, C, H, W] in [-1, 1], in batches, on the CPU.</summary>
    public (Tensor Features, Tensor Logits) Embed(Tensor images)
    {
        if (images.dim() != 4 || !images.shape[1..].SequenceEqual(SampleShape))
            throw new EvaluatorException($"evaluator '{Info.Name}' judges [{string.Join(", ", SampleShape)}] images, found [{string.Join(", ", images.shape[1..])}]");
        return Embed(_network, images, Info.FeatureScale);
    }

    /// <summary>Runs a network in eval mode over images in batches: scaled features and logits.</summary>
    internal static (Tensor Features, Tensor Logits) Embed(EvaluatorNetwork network, Tensor images, double featureScale)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var features = new List<Tensor>();
        var logits = new List<Tensor>();
        var onCpu = images.device_type == DeviceType.CPU ? images : images.cpu();
        foreach (var chunk in onCpu.to_type(ScalarType.Float32).split(BatchSize))
        {
            var (f, l) = network.FeaturesAndLogits(chunk);
            features.Add(f.mul_(featureScale));
            logits.Add(l);
        }
        return (cat(features, 0).MoveToOuterDisposeScope(), cat(logits, 0).MoveToOuterDisposeScope());
    }

    /// <summary>Every image metric of <paramref name="images"/> against the real training data.</summary>
    /// <param name="givenLabels">For a class-conditional generator, the label each image was drawn for (adds the label agreement).</param>
    public ImageQuality Evaluate(Tensor images, Tensor? givenLabels = null)
    {
        using var scope = NewDisposeScope();
        var (features, logits) = Embed(images);
        var n = features.shape[0];
        if (n <= NeighbourhoodK)
            throw new EvaluatorException($"image metrics need more than {NeighbourhoodK} samples, found {n}");
        var classes = ClassQuality.FromLogits(logits, givenLabels);
        var (mean, covariance) = FrechetDistance.Moments(features);
        var fd = FrechetDistance.Compute(mean, covariance, _referenceMean, _referenceCovariance);
        // The k-NN metrics compare equal-sized sets (Naeem et al.), so the reference is cut to the sample count.
        var reference = _referenceFeatures.narrow(0, 0, Math.Min(n, ReferenceCount));
        var (kid, kidSd) = KernelInceptionDistance.Compute(reference, features);
        var neighbourhood = NeighbourhoodQuality.Compute(reference, features, NeighbourhoodK);
        return new ImageQuality(Info.Extractor, (int)n, classes, fd, kid, kidSd, neighbourhood, ConstantBaseline);
    }

    public const int NeighbourhoodK = 5;

    public void Save(string path)
    {
        var entries = new List<CheckpointEntry> { new(InfoEntry, null, null, JsonSerializer.SerializeToUtf8Bytes(Info)) };
        TensorEntries.AddModule(entries, "net", _network);
        entries.Add(TensorEntries.From("reference/features", _referenceFeatures));
        entries.Add(TensorEntries.From("reference/mean", _referenceMean));
        entries.Add(TensorEntries.From("reference/covariance", _referenceCovariance));
        CheckpointFile.Write(path, new Checkpoint
        {
            Step = Info.Epochs,
            DataCursor = 0,
            SpecYaml = "",
            Producer = TrainerState.Producer,
            CreatedUtc = Info.CreatedUtc,
            Entries = entries,
        });
    }

    /// <summary>Reads and verifies (SHA-256 trailer, entry shapes) an evaluator file.</summary>
    public static Evaluator Load(string path)
    {
        var file = CheckpointFile.Read(path);
        var infoEntry = file.Find(InfoEntry) ?? throw new CheckpointException(path, "is not an evaluator file (no 'info' entry)");
        var info = JsonSerializer.Deserialize<EvaluatorInfo>(infoEntry.Data) ?? throw new CheckpointException(path, "has an empty 'info' entry");
        var network = new EvaluatorNetwork(info.Channels, info.ImageSize, info.ClassNames.Count);
        TrainerState.RestoreModule(file, path, "net", network);
        Tensor Required(string name) => TensorEntries.ToTensor(file.Find(name) ?? throw new CheckpointException(path, $"has no '{name}' entry"));
        return new Evaluator(info, network, Required("reference/features"), Required("reference/mean"), Required("reference/covariance"));
    }

    public void Dispose()
    {
        _network.Dispose();
        _referenceFeatures.Dispose();
        _referenceMean.Dispose();
        _referenceCovariance.Dispose();
    }
}
