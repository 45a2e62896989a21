using GanCluster.Specs;

namespace GanCluster.Training.Models;

/// <summary>A rank's memory needs, exceeded before anything is allocated: a spec this would not fit is refused with them.</summary>
public sealed class ModelFootprintException(string message) : Exception(message);

/// <summary>
/// What G and D of a spec will hold, computed from the spec alone, before a tensor exists: their parameters (an
/// upper bound within a few percent of the real count, checked against built networks by the tests) and the
/// activations of one sample through both. A spec whose training would not fit a rank's memory is refused up front,
/// instead of letting a hostile width (hidden 65536, 64 layers) be allocated and the process killed by the kernel.
/// </summary>
public sealed record ModelFootprint(long Parameters, long ActivationsPerSample)
{
    /// <summary>Weights, gradients, two Adam moments and the EMA copy, with room to spare: float32 values per parameter.</summary>
    private const long ValuesPerParameter = 6;

    /// <summary>Forward values kept for the backward pass, their gradients, normalisation copies: float32 values per activation.</summary>
    private const long ValuesPerActivation = 4;

    public static ModelFootprint Of(RunSpec spec)
    {
        var sample = spec.Dataset.Kind.IsMixture() ? new long[] { 2 } : [spec.Dataset.Channels, spec.Dataset.ImageSize, spec.Dataset.ImageSize];
        return Of(spec.Model, sample);
    }

    public static ModelFootprint Of(ModelSpec model, long[] sampleShape)
    {
        checked
        {
            var input = ClassConditioning.DiscriminatorInputShape(sampleShape, model.Classes);
            long z = model.LatentDim + model.Classes, h = model.Hidden, d = model.DHidden;
            long features = sampleShape.Aggregate(1L, (a, b) => a * b), dFeatures = input.Aggregate(1L, (a, b) => a * b);
            long c = sampleShape[0], dc = input[0];
            static long Linear(long a, long b) => a * b + b;
            static long Conv(long a, long b, long k) => a * b * k * k + b;
            return model.Name switch
            {
                ModelKind.Mlp => new(Linear(z, h) + Linear(h, h) + Linear(h, features) + Linear(dFeatures, d) + Linear(d, d) + Linear(d, 1),
                    2 * (h + h + features + d + d + 1) + dFeatures),
                ModelKind.Vanilla => new(Linear(z, h) + Linear(h, features) + Linear(dFeatures, d) + Linear(d, 1),
                    2 * (h + features + d + 1) + dFeatures),
                ModelKind.Toy => new(Linear(z, h) + (model.Layers - 1) * Linear(h, h) + Linear(h, 2) + Linear(2, d) + (model.Layers - 1) * Linear(d, d) + Linear(d, 1),
                    2 * model.Layers * (h + d) + 8),
                ModelKind.Dcgan28 => new(Linear(z, 6272) + 2 * 6272 + Conv(128, 64, 5) + 2 * 64 + Conv(64, c, 5) + Conv(dc, 64, 5) + Conv(64, 128, 5) + Linear(6272, 1),
                    3 * (6272 + 196 * 64 + features + 196 * 64 + 49 * 128) + dFeatures),
                // Radford's layers are bias-free; each batch norm holds a scale and a shift per channel.
                ModelKind.Radford28 => new(z * 4 * h * 49 + 2 * 4 * h + 4 * h * 2 * h * 16 + 2 * 2 * h + 2 * h * c * 16
                    + dc * d * 16 + d * 2 * d * 16 + 2 * 2 * d + 2 * d * 49,
                    3 * (49 * 4 * h + 196 * 2 * h + features + 196 * d + 49 * 2 * d) + dFeatures),
                ModelKind.Dcgan64 => new(z * 8 * h * 16 + 8 * h * 4 * h * 16 + 4 * h * 2 * h * 16 + 2 * h * h * 16 + h * c * 16 + 30 * h
                    + dc * d * 16 + d * 2 * d * 16 + 2 * d * 4 * d * 16 + 4 * d * 8 * d * 16 + 8 * d * 16 + 28 * d,
                    3 * (16 * 8 * h + 64 * 4 * h + 256 * 2 * h + 1024 * h + features + 1024 * d + 256 * 2 * d + 64 * 4 * d + 16 * 8 * d) + dFeatures),
                _ => throw new ArgumentOutOfRangeException(nameof(model), model.Name, "unknown model"),
            };
        }
    }

    /// <summary>Bytes one rank needs to train <paramref name="samples"/> samples at a time.</summary>
    public long TrainingBytes(long samples)
    {
        try
        {
            return checked(4 * (ValuesPerParameter * Parameters + ValuesPerActivation * ActivationsPerSample * samples));
        }
        catch (OverflowException)
        {
            return long.MaxValue;
        }
    }

    /// <summary>Throws <see cref="ModelFootprintException"/> when training <paramref name="spec"/> on one rank of <paramref name="worldSize"/> needs more than <paramref name="limitBytes"/>.</summary>
    public static void RequireFits(RunSpec spec, int worldSize, long limitBytes)
    {
        ModelFootprint footprint;
        try
        {
            footprint = Of(spec);
        }
        catch (OverflowException)
        {
            throw new ModelFootprintException($"the networks of this spec have more parameters than a 64-bit count holds; this rank's memory limit is {Gigabytes(limitBytes)}");
        }
        var samples = Math.Max(1, spec.BatchSize / Math.Max(1, worldSize));
        var needed = footprint.TrainingBytes(samples);
        if (needed > limitBytes)
            throw new ModelFootprintException(
                $"training needs about {Gigabytes(needed)} ({footprint.Parameters:N0} parameters, {samples:N0} samples of {footprint.ActivationsPerSample:N0} activations per rank), more than this rank's memory limit of {Gigabytes(limitBytes)}; make model.hidden, model.layers or batch_size smaller");
    }

    private static string Gigabytes(long bytes) => bytes == long.MaxValue ? "more than 8 EB" : $"{bytes / 1e9:0.##} GB";
}
