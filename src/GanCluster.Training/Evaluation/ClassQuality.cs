using TorchSharp;
using static TorchSharp.torch;

namespace GanCluster.Training.Evaluation;

/// <summary>
/// What a dataset's classifier says about a set of samples: how many classes they cover, the entropy of
/// the predicted-label histogram, and the classifier score exp(E[KL(p(y|x) ‖ p(y))]), the Inception-score
/// analogue (1 for one class, C for C equally used, confidently predicted classes).
/// A class is covered when it is the prediction for at least a tenth of its fair share (N / C) of samples,
/// so that a few stray samples do not count as a mode. For a class-conditional generator, <see cref="LabelAgreement"/>
/// is the share of samples the classifier assigns to the class G was asked for.
/// </summary>
public sealed record ClassQuality(int Classes, int ClassesCovered, double LabelEntropy, double ClassifierScore, IReadOnlyList<int> ClassHistogram,
    double? LabelAgreement = null)
{
    public const double CoverageShare = 0.1;

    public double MaxLabelEntropy => Math.Log(Classes);

    /// <param name="givenLabels">The labels a class-conditional G was given, one per row; null for an unconditional one.</param>
    public static ClassQuality FromLogits(Tensor logits, Tensor? givenLabels = null)
    {
        using var scope = NewDisposeScope();
        var n = logits.shape[0];
        var classes = (int)logits.shape[1];
        var logP = logits.to_type(ScalarType.Float64).log_softmax(1);
        var p = logP.exp();
        var marginal = p.mean([0]);
        var kl = (p * (logP - marginal.clamp_min(1e-30).log().unsqueeze(0))).sum(1).mean();
        var score = Math.Exp(kl.ToDouble());
        var predicted = logP.argmax(1);
        var histogram = bincount(predicted, minlength: classes).data<long>().Select(c => (int)c).ToArray();
        var threshold = Math.Max(1, CoverageShare * n / classes);
        var entropy = histogram.Where(c => c > 0).Sum(c => -(double)c / n * Math.Log((double)c / n));
        double? agreement = givenLabels is null ? null : predicted.eq(givenLabels.to_type(ScalarType.Int64)).to_type(ScalarType.Float64).mean().ToDouble();
        return new ClassQuality(classes, histogram.Count(c => c >= threshold), entropy, score, histogram, agreement);
    }
}
