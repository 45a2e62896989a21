using GanCluster.Training.Data;
using static TorchSharp.torch;

namespace GanCluster.Training.Models;

/// <summary>
/// How a class-conditional GAN (Mirza &amp; Osindero's cGAN) reads its labels: G takes the one-hot label after its
/// noise, and D takes it as one constant input channel per class (or extra features, for flat samples). Fake
/// labels cycle through the classes by global row (row r has class r mod K), so every batch and every sample
/// set is balanced and the same rows get the same labels however the batch is sharded.
/// </summary>
public static class ClassConditioning
{
    /// <summary>The shape D is built for: the sample shape with one more channel (or feature) per class.</summary>
    public static long[] DiscriminatorInputShape(long[] sampleShape, int classes)
    {
        var shape = (long[])sampleShape.Clone();
        shape[0] += classes;
        return shape;
    }

    /// <summary>The labels of the shard's rows of a generated batch: global row r has class r mod <paramref name="classes"/>.</summary>
    public static Tensor CycledLabels(ShardSlice shard, int classes, Device device) =>
        arange(shard.Start, shard.Start + shard.Length, ScalarType.Int64, device).remainder_(classes);

    /// <summary>The labels a G with <paramref name="classes"/> classes is given for a sample set of <paramref name="count"/> rows; null when unconditional (0).</summary>
    public static Tensor? SampleLabels(int count, int classes) =>
        classes == 0 ? null : CycledLabels(ShardSlice.Single(count), classes, CPU);

    /// <summary>G's input: the noise rows followed by their one-hot labels.</summary>
    public static Tensor Latent(Tensor noise, Tensor labels, int classes) =>
        cat([noise, OneHot(labels, classes, noise.dtype)], 1);

    /// <summary>D's input: the samples with their one-hot labels as constant channels ([B, C + K, H, W]) or features ([B, F + K]).</summary>
    public static Tensor Sample(Tensor samples, Tensor labels, int classes)
    {
        var oneHot = OneHot(labels, classes, samples.dtype);
        if (samples.dim() == 2)
            return cat([samples, oneHot], 1);
        var maps = oneHot.view(oneHot.shape[0], classes, 1, 1).expand(-1, -1, samples.shape[2], samples.shape[3]);
        return cat([samples, maps], 1);
    }

    private static Tensor OneHot(Tensor labels, int classes, ScalarType type) =>
        nn.functional.one_hot(labels.to_type(ScalarType.Int64), classes).to_type(type);
}
