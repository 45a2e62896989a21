using GanCluster.Specs;
using static TorchSharp.torch;

namespace GanCluster.Training.Data;

/// <summary>Opens the dataset a run spec names.</summary>
public static class DatasetFactory
{
    public static IGanDataset Open(DatasetSpec spec, long seed) => spec.Kind switch
    {
        DatasetKind.Ring8 => GaussianMixture.Ring8(seed),
        DatasetKind.Grid25 => GaussianMixture.Grid25(seed),
        DatasetKind.Idx => OpenIdx(spec, seed),
        DatasetKind.Images => new TensorDataset(ImageFolderReader.Load(spec.Path!, spec.ImageSize, spec.Channels, spec.Limit), seed),
        _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Kind, "unknown dataset kind"),
    };

    /// <summary>The shape of one sample of a dataset, known from its spec alone.</summary>
    public static long[] SampleShape(DatasetSpec spec) => spec.Kind switch
    {
        DatasetKind.Ring8 or DatasetKind.Grid25 => [2],
        DatasetKind.Idx => [1, 28, 28],
        _ => [spec.Channels, spec.ImageSize, spec.ImageSize],
    };

    private static TensorDataset OpenIdx(DatasetSpec spec, long seed)
    {
        var (imagesName, labelsName) = spec.Split == "test" ? IdxReader.TestFiles : IdxReader.TrainFiles;
        var imagesPath = IdxReader.Locate(spec.Path!, imagesName);
        var (count, rows, cols, pixels) = IdxReader.ReadImages(imagesPath);
        if (rows != 28 || cols != 28)
            throw new DatasetException(imagesPath, $"images are {rows}×{cols}, expected 28×28");
        var labels = IdxReader.ReadLabels(IdxReader.Locate(spec.Path!, labelsName));
        if (labels.Length != count)
            throw new DatasetException(spec.Path!, $"{count} images but {labels.Length} labels");
        var n = Math.Min(count, spec.Limit ?? int.MaxValue);
        var images = tensor(pixels.AsSpan(0, n * rows * cols).ToArray(), [n, 1, rows, cols], ScalarType.Byte);
        return new TensorDataset(images, seed, tensor(labels.AsSpan(0, n).ToArray(), ScalarType.Byte));
    }
}
