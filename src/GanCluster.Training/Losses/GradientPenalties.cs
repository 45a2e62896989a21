using static TorchSharp.torch;

namespace GanCluster.Training.Losses;

/// <summary>
/// Penalties on D's input gradient: WGAN-GP (Gulrajani et al.) and R1 (Mescheder et al.). With PacGAN's <c>pack</c> m,
/// D's logit is repeated for each of a pack's m rows: the gradient of the sum is divided by m, and the norm is taken
/// over the pack's rows together (the input of D's one decision), so the penalty is the packed D's own.
/// </summary>
public static class GradientPenalties
{
    /// <summary>λ·E[(‖∇D(x̂)‖ − 1)²] on random interpolates x̂ between real and fake samples.</summary>
    public static Tensor Wasserstein(nn.Module<Tensor, Tensor> discriminator, Tensor real, Tensor fake, Tensor mixing, double weight, int pack = 1)
    {
        var shape = new long[real.dim()];
        Array.Fill(shape, 1L);
        shape[0] = real.shape[0];
        var epsilon = mixing.view(shape);
        var interpolates = (epsilon * real + (1 - epsilon) * fake.detach()).requires_grad_(true);
        var logits = discriminator.forward(interpolates);
        var gradient = autograd.grad([logits.sum() / pack], [interpolates], retain_graph: true, create_graph: true)[0];
        var norms = gradient.reshape(gradient.shape[0] / pack, -1).norm(1);
        return (norms - 1).pow(2).mean() * weight;
    }

    /// <summary>γ/2·E[‖∇D(x)‖²] on real samples; <paramref name="real"/> must have required grad before D's forward.</summary>
    public static Tensor R1(Tensor realLogits, Tensor real, double gamma, int pack = 1)
    {
        var gradient = autograd.grad([realLogits.sum() / pack], [real], retain_graph: true, create_graph: true)[0];
        return gradient.reshape(gradient.shape[0] / pack, -1).pow(2).sum(1).mean() * (gamma / 2);
    }
}
