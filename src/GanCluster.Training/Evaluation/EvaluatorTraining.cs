using System.Diagnostics;
using System.Security.Cryptography;
using GanCluster.Training.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace GanCluster.Training.Evaluation;

/// <summary>How to fit an evaluator. Same options, data and thread count give bitwise-identical weights.</summary>
/// <param name="TrainLimit">Train on only the first N training images (quick checks); null uses them all.</param>
public sealed record EvaluatorTrainingOptions(int Epochs, long Seed = 1, int Threads = 2, int BatchSize = 128, double LearningRate = 1e-3, int ReferenceCount = 10_000, int? TrainLimit = null);

/// <summary>Progress of one evaluator fit, reported every few batches.</summary>
public readonly record struct EvaluatorProgress(int Epoch, int Epochs, long Batch, long Batches, double Loss);

/// <summary>
/// Fits an <see cref="EvaluatorNetwork"/> to labelled images: Adam with cross-entropy, a seeded
/// permutation per epoch, the learning rate divided by 10 for the last epoch. Then measures test
/// accuracy, records the reference features of the training set, and scores the real test images
/// against them: the ceiling that generated images are compared with.
/// </summary>
public static class EvaluatorTraining
{
    public static Evaluator Train(string name, string extractor, string datasetKind, string datasetPath, LabelledImages data, EvaluatorTrainingOptions options, IProgress<EvaluatorProgress>? progress = null, CancellationToken cancellation = default)
    {
        if (options.Epochs < 1)
            throw new EvaluatorException($"epochs must be at least 1, found {options.Epochs}");
        var clock = Stopwatch.StartNew();
        torch.set_num_threads(options.Threads);
        torch.manual_seed(options.Seed);
        var shape = data.TrainImages.shape;
        var (channels, imageSize) = ((int)shape[1], (int)shape[2]);
        var network = new EvaluatorNetwork(channels, imageSize, data.ClassNames.Count);
        var used = Math.Min(data.TrainImages.shape[0], options.TrainLimit ?? long.MaxValue);
        using var trainLabels = data.TrainLabels.narrow(0, 0, used);
        using var trainPixels = data.TrainImages.narrow(0, 0, used);
        using var trainImages = TensorDataset.ToUnitRange(trainPixels, CPU);
        Fit(network, trainImages, trainLabels, options, progress, cancellation);
        network.eval();
        var (features, logits) = Evaluator.Embed(network, trainImages, featureScale: 1);
        logits.Dispose();
        // Scale features so the training set's mean squared feature is 1 (see EvaluatorInfo.FeatureScale).
        var scale = 1 / Math.Sqrt(features.square().mean().ToDouble());
        features.mul_(scale);
        var (mean, covariance) = FrechetDistance.Moments(features);
        using var subsetGenerator = new Generator((ulong)SeedMixer.Mix(options.Seed, (long)RandomStream.EvaluatorReferenceSubset, 0));
        using var subsetOrder = randperm(features.shape[0], generator: subsetGenerator);
        using var subsetIndex = subsetOrder.narrow(0, 0, Math.Min(options.ReferenceCount, features.shape[0]));
        var reference = features.index_select(0, subsetIndex);
        features.Dispose();
        var info = new EvaluatorInfo(name, extractor, datasetKind, datasetPath, imageSize, channels, data.Fingerprint(), data.ClassNames,
            (int)used, (int)data.TestImages.shape[0], TestAccuracy: double.NaN, options.Epochs, options.Seed, options.Threads,
            WeightsChecksum(network), scale, TrainSeconds: 0, Ceiling: null, CreatedUtc: default);
        var evaluator = new Evaluator(info, network, reference, mean, covariance);
        using var testImages = TensorDataset.ToUnitRange(data.TestImages, CPU);
        evaluator.Info = info with
        {
            TestAccuracy = Accuracy(evaluator, testImages, data.TestLabels),
            Ceiling = evaluator.Evaluate(testImages),
            TrainSeconds = clock.Elapsed.TotalSeconds,
            CreatedUtc = DateTimeOffset.UtcNow,
        };
        return evaluator;
    }

    /// <summary>Adam on cross-entropy; a seeded permutation per epoch; the last epoch at a tenth of the rate.</summary>
    private static void Fit(EvaluatorNetwork network, Tensor trainImages, Tensor trainLabels, EvaluatorTrainingOptions options, IProgress<EvaluatorProgress>? progress, CancellationToken cancellation)
    {
        using var optimizer = optim.Adam(network.parameters(), options.LearningRate);
        var n = trainImages.shape[0];
        var batches = (n + options.BatchSize - 1) / options.BatchSize;
        network.train();
        for (var epoch = 1; epoch <= options.Epochs; epoch++)
        {
            if (epoch == options.Epochs && options.Epochs > 1)
                foreach (var group in optimizer.ParamGroups)
                    group.LearningRate = options.LearningRate / 10;
            using var generator = new Generator((ulong)SeedMixer.Mix(options.Seed, (long)RandomStream.EvaluatorEpochPermutation, epoch));
            using var order = randperm(n, generator: generator);
            for (long b = 0; b < batches; b++)
            {
                cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var index = order.narrow(0, b * options.BatchSize, Math.Min(options.BatchSize, n - b * options.BatchSize));
                var loss = nn.functional.cross_entropy(network.forward(trainImages.index_select(0, index)), trainLabels.index_select(0, index));
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                if (progress is not null && (b % 50 == 0 || b == batches - 1))
                    progress.Report(new EvaluatorProgress(epoch, options.Epochs, b + 1, batches, loss.ToDouble()));
            }
        }
    }

    /// <summary>SHA-256 over the state dict's tensors in order: equal for bitwise-equal weights.</summary>
    public static string WeightsChecksum(nn.Module network)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (_, tensor) in network.state_dict())
        {
            using var contiguous = tensor.detach().contiguous();
            sha.AppendData(contiguous.bytes);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static double Accuracy(Evaluator evaluator, Tensor images, Tensor labels)
    {
        var (features, logits) = evaluator.Embed(images);
        using (features)
        using (logits)
        using (var predicted = logits.argmax(1))
            return predicted.eq(labels).to_type(ScalarType.Float64).mean().ToDouble();
    }
}
