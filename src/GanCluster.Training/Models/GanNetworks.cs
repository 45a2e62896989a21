using TorchSharp;
using static TorchSharp.torch;

namespace GanCluster.Training.Models;

/// <summary>The latent prior that G's noise is drawn from.</summary>
public enum LatentPrior
{
    Normal,
    Uniform,
}

/// <summary>A generator and discriminator built for one sample shape, plus what is needed to feed G.</summary>
public sealed class GanNetworks(nn.Module<Tensor, Tensor> generator, nn.Module<Tensor, Tensor> discriminator, int latentDim, LatentPrior prior, long[] sampleShape,
    DropoutContext dropout, int classes = 0) : IDisposable
{
    public nn.Module<Tensor, Tensor> Generator { get; } = generator;
    public nn.Module<Tensor, Tensor> Discriminator { get; } = discriminator;
    public int LatentDim { get; } = latentDim;
    public LatentPrior Prior { get; } = prior;

    /// <summary>The number of classes of a class-conditional GAN, else 0 (see <see cref="ClassConditioning"/>).</summary>
    public int Classes { get; } = classes;

    /// <summary>Positions D's dropout masks; the trainer sets it before each training forward pass of D.</summary>
    public DropoutContext Dropout { get; } = dropout;

    /// <summary>Shape of one sample without the batch dimension: [C, H, W] for images, [2] for points.</summary>
    public long[] SampleShape { get; } = sampleShape;

    public static long ParameterCount(nn.Module module) => module.parameters().Sum(p => p.numel());

    public void Dispose()
    {
        Generator.Dispose();
        Discriminator.Dispose();
        Dropout.Dispose();
    }
}
