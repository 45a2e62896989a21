using TorchSharp;
using System.Security.Cryptography;
using GanCluster.Training.Data;
using static TorchSharp.torch;

namespace GanCluster.Training.Evaluation;

/// <summary>
/// The labelled train and test images an evaluator learns from, as uint8 [N, C, H, W] and int64 labels.
/// IDX datasets bring their own labels and split. Image folders are labelled by their sub-folder
/// (ORL's <c>sN/</c> is one person), and the last fifth of each folder's files is held out for testing.
/// </summary>
public sealed class LabelledImages : IDisposable
{
    private LabelledImages(Tensor trainImages, Tensor trainLabels, Tensor testImages, Tensor testLabels, IReadOnlyList<string> classNames)
    {
        TrainImages = trainImages;
        TrainLabels = trainLabels;
        TestImages = testImages;
        TestLabels = testLabels;
        ClassNames = classNames;
    }

    public Tensor TrainImages { get; }
    public Tensor TrainLabels { get; }
    public Tensor TestImages { get; }
    public Tensor TestLabels { get; }
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>SHA-256 of the training images' pixels: which data an evaluator was fitted to.</summary>
    public string Fingerprint()
    {
        using var contiguous = TrainImages.contiguous();
        return Convert.ToHexStringLower(SHA256.HashData(contiguous.bytes));
    }

    public static LabelledImages LoadIdx(string directory)
    {
        var (trainImages, trainLabels) = LoadIdxSplit(directory, IdxReader.TrainFiles);
        var (testImages, testLabels) = LoadIdxSplit(directory, IdxReader.TestFiles);
        var classes = (int)trainLabels.max().ToInt64() + 1;
        return new LabelledImages(trainImages, trainLabels, testImages, testLabels, Enumerable.Range(0, classes).Select(c => c.ToString()).ToList());
    }

    public static LabelledImages LoadFolders(string directory, int imageSize, int channels)
    {
        var files = ImageFolderReader.List(directory);
        var root = Path.GetFullPath(directory);
        var classOf = files.Select(f => Path.GetRelativePath(root, Path.GetDirectoryName(Path.GetFullPath(f))!)).ToList();
        var classNames = classOf.Distinct().Order(StringComparer.Ordinal).ToList();
        if (classNames.Count < 2)
            throw new DatasetException(directory, "an image-folder evaluator needs one sub-folder per class or identity (like ORL's s1/ … s40/); all images are in one folder");
        var index = classNames.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i);
        var train = new List<int>();
        var test = new List<int>();
        foreach (var group in Enumerable.Range(0, files.Count).GroupBy(i => classOf[i]))
        {
            var members = group.ToList();
            var held = Math.Max(1, members.Count / 5);
            if (members.Count < 2)
                throw new DatasetException(Path.GetDirectoryName(files[members[0]])!, "holds a single image: each class needs at least 2 (one to train on, one to test)");
            train.AddRange(members.Take(members.Count - held));
            test.AddRange(members.Skip(members.Count - held));
        }
        using var all = ImageFolderReader.Load(directory, imageSize, channels);
        var labels = classOf.Select(c => (long)index[c]).ToArray();
        Tensor Pick(List<int> rows) { using var i = tensor(rows.Select(r => (long)r).ToArray()); return all.index_select(0, i); }
        Tensor Labels(List<int> rows) => tensor(rows.Select(r => labels[r]).ToArray());
        return new LabelledImages(Pick(train), Labels(train), Pick(test), Labels(test), classNames);
    }

    private static (Tensor Images, Tensor Labels) LoadIdxSplit(string directory, (string Images, string Labels) names)
    {
        var imagesPath = IdxReader.Locate(directory, names.Images);
        var (count, rows, cols, pixels) = IdxReader.ReadImages(imagesPath);
        var labels = IdxReader.ReadLabels(IdxReader.Locate(directory, names.Labels));
        if (labels.Length != count)
            throw new DatasetException(directory, $"{count} images but {labels.Length} labels in {names.Images}/{names.Labels}");
        return (tensor(pixels, [count, 1, rows, cols], ScalarType.Byte), tensor(labels.Select(l => (long)l).ToArray()));
    }

    public void Dispose()
    {
        TrainImages.Dispose();
        TrainLabels.Dispose();
        TestImages.Dispose();
        TestLabels.Dispose();
    }
}
