using GanCluster.Specs;

namespace GanCluster.Training.Evaluation;

/// <summary>
/// The evaluators the product knows how to train, by dataset: where the labels come from, the image
/// geometry, and how many epochs reach the published accuracy (≥ 99% MNIST, ≥ 90% Fashion-MNIST).
/// </summary>
public sealed record EvaluatorRecipe(string Name, DatasetKind DatasetKind, int ImageSize, int Channels, int Epochs, string Description)
{
    public static readonly IReadOnlyList<EvaluatorRecipe> All =
    [
        new("mnist", DatasetKind.Idx, 28, 1, 4, "MNIST digits (IDX files); 10 classes"),
        new("fashion-mnist", DatasetKind.Idx, 28, 1, 6, "Fashion-MNIST (IDX files); 10 classes"),
        new("faces", DatasetKind.Images, 64, 1, 40, "faces in one sub-folder per person (ORL's sN/); identity classes, 64×64"),
    ];

    public string Extractor => $"{Name}-lenet";

    public static EvaluatorRecipe Find(string name) =>
        All.FirstOrDefault(r => r.Name == name)
        ?? throw new EvaluatorException($"unknown evaluator dataset '{name}'; known: {string.Join(", ", All.Select(r => r.Name))}");

    public LabelledImages Load(string path, int? imageSize = null, int? channels = null) => DatasetKind == DatasetKind.Idx
        ? LabelledImages.LoadIdx(path)
        : LabelledImages.LoadFolders(path, imageSize ?? ImageSize, channels ?? Channels);
}
