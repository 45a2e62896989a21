using static TorchSharp.torch;

namespace GanCluster.Training.Losses;

/// <summary>Penalties on D's input gradient: WGAN-GP (Gulrajani et al.) and R1 (Mescheder et al.).</summary>
public static class GradientPenalties
{
    /// <summary>λ·E[(‖∇D(x̂)‖ − 1)²] on random interpolates x̂ between real and fake samples.</summary>
    public static Tensor Wasserstein(nn.Module<Tensor, Tensor> discriminator, Tensor real, Tensor fake, Tensor mixing, double weight)
    {
        var shape = new long[real.dim()];
        Array.Fill(shape, 1L);
        shape[0] = real.shape[0];
        var epsilon = mixing.view(shape);
        var interpolates = (epsilon * real + (1 - epsilon) * fake.detach()).requires_grad_(true);
        var logits = discriminator.forward(interpolates);
        var gradient = autograd.grad([logits.sum()], [interpolates], retain_graph: true, create_graph: true)[0];
        var norms = gradient.flatten(1).norm(1);
        return (norms - 1).pow(2).mean() * weight;
    }

    /// <summary>γ/2·E[‖∇D(x)‖²] on real samples; <paramref name="real"/> must have required grad before D's forward.</summary>
    public static Tensor R1(Tensor realLogits, Tensor real, double gamma)
    {
        var gradient = autograd.grad([realLogits.sum()], [real], retain_graph: true, create_graph: true)[0];
        return gradient.flatten(1).pow(2).sum(1).mean() * (gamma / 2);
    }
}
