using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanCluster.Training.Evaluation;

/// <summary>
/// A small LeNet-style classifier whose penultimate layer is the feature space of the image metrics:
/// blocks of Conv 5×5 → BatchNorm → ReLU → MaxPool 2 halve the image until it is at most 8×8
/// (28 → 14 → 7, 64 → 32 → 16 → 8), with 16, 32, 64 channels; then Linear → ReLU gives the
/// <see cref="FeatureDim"/> features, and Dropout → Linear the class logits.
/// </summary>
public sealed class EvaluatorNetwork : Module<Tensor, Tensor>
{
    public const int FeatureDim = 128;

    private readonly Sequential _features;
    private readonly Sequential _head;

    public EvaluatorNetwork(int channels, int imageSize, int classes) : base(nameof(EvaluatorNetwork))
    {
        var layers = new List<Module<Tensor, Tensor>>();
        var (size, width, inputs) = (imageSize, 16, channels);
        while (size > 8)
        {
            layers.AddRange([Conv2d(inputs, width, kernel_size: 5, padding: 2), BatchNorm2d(width), ReLU(), MaxPool2d(2)]);
            (size, inputs, width) = (size / 2, width, width * 2);
        }
        layers.AddRange([Flatten(), Linear(inputs * size * size, FeatureDim), ReLU()]);
        _features = Sequential(layers);
        _head = Sequential(Dropout(0.3), Linear(FeatureDim, classes));
        RegisterComponents();
    }

    /// <summary>Class logits [N, classes].</summary>
    public override Tensor forward(Tensor images) => _head.forward(_features.forward(images));

    /// <summary>The feature vector [N, <see cref="FeatureDim"/>] and the logits together, from one pass.</summary>
    public (Tensor Features, Tensor Logits) FeaturesAndLogits(Tensor images)
    {
        var features = _features.forward(images);
        return (features, _head.forward(features));
    }
}
