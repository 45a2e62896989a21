using GanCluster.Specs;
using static TorchSharp.torch;

namespace GanCluster.Training.Losses;

/// <summary>An adversarial objective over D's logits. Label targets apply to the BCE-based losses only.</summary>
public abstract class GanLoss
{
    /// <summary>Whether the loss reads label targets (smoothing, flips); hinge and Wasserstein do not.</summary>
    public abstract bool UsesLabels { get; }

    public abstract Tensor Discriminator(Tensor realLogits, Tensor fakeLogits, Tensor realTargets, Tensor fakeTargets);

    public abstract Tensor Generator(Tensor fakeLogits);

    public static GanLoss Create(LossKind kind) => kind switch
    {
        LossKind.Minimax => new MinimaxLoss(),
        LossKind.NonSaturating => new NonSaturatingLoss(),
        LossKind.Hinge => new HingeLoss(),
        LossKind.WganGp => new WassersteinLoss(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown loss"),
    };

    protected static Tensor BinaryCrossEntropy(Tensor logits, Tensor targets) =>
        nn.functional.binary_cross_entropy_with_logits(logits, targets);
}

/// <summary>Goodfellow's original game: G minimises log(1 − D(G(z))), which saturates early in training.</summary>
public sealed class MinimaxLoss : GanLoss
{
    public override bool UsesLabels => true;

    public override Tensor Discriminator(Tensor realLogits, Tensor fakeLogits, Tensor realTargets, Tensor fakeTargets) =>
        BinaryCrossEntropy(realLogits, realTargets) + BinaryCrossEntropy(fakeLogits, fakeTargets);

    // log(1 − σ(f)) = −softplus(f)
    public override Tensor Generator(Tensor fakeLogits) => nn.functional.softplus(fakeLogits).mean().neg();
}

/// <summary>The non-saturating heuristic: G maximises log D(G(z)) instead.</summary>
public sealed class NonSaturatingLoss : GanLoss
{
    public override bool UsesLabels => true;

    public override Tensor Discriminator(Tensor realLogits, Tensor fakeLogits, Tensor realTargets, Tensor fakeTargets) =>
        BinaryCrossEntropy(realLogits, realTargets) + BinaryCrossEntropy(fakeLogits, fakeTargets);

    // −log σ(f) = BCE(f, 1), one fused kernel
    public override Tensor Generator(Tensor fakeLogits) => BinaryCrossEntropy(fakeLogits, ones_like(fakeLogits));
}

/// <summary>Hinge loss (Lim &amp; Ye; Miyato et al.).</summary>
public sealed class HingeLoss : GanLoss
{
    public override bool UsesLabels => false;

    public override Tensor Discriminator(Tensor realLogits, Tensor fakeLogits, Tensor realTargets, Tensor fakeTargets) =>
        nn.functional.relu(1 - realLogits).mean() + nn.functional.relu(1 + fakeLogits).mean();

    public override Tensor Generator(Tensor fakeLogits) => fakeLogits.mean().neg();
}

/// <summary>The Wasserstein critic loss; its gradient penalty is added by the trainer.</summary>
public sealed class WassersteinLoss : GanLoss
{
    public override bool UsesLabels => false;

    public override Tensor Discriminator(Tensor realLogits, Tensor fakeLogits, Tensor realTargets, Tensor fakeTargets) =>
        fakeLogits.mean() - realLogits.mean();

    public override Tensor Generator(Tensor fakeLogits) => fakeLogits.mean().neg();
}
