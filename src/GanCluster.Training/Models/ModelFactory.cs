using GanCluster.Training.Models.AntiCollapse;
using GanCluster.Specs;
using static TorchSharp.torch;

namespace GanCluster.Training.Models;

/// <summary>Builds G and D by the model name of the run spec. Initialisation draws from torch's global RNG.</summary>
public static class ModelFactory
{
    /// <summary>G and D; <paramref name="differentiatedTwice"/>: a gradient penalty differentiates D twice (<see cref="LossSpec.DifferentiatesDiscriminatorTwice"/>).</summary>
    public static GanNetworks Create(ModelSpec model, long[] sampleShape, bool differentiatedTwice)
    {
        var dropout = new DropoutContext();
        var generator = CreateGenerator(model, sampleShape);
        var discriminator = CreateDiscriminator(model, sampleShape, dropout, differentiatedTwice);
        var prior = model.Name == ModelKind.Vanilla ? LatentPrior.Uniform : LatentPrior.Normal;
        return new GanNetworks(generator, discriminator, model.LatentDim, prior, sampleShape, dropout, model.Classes);
    }

    /// <summary>G for <paramref name="sampleShape"/>; a class-conditional G reads its one-hot label after the noise.</summary>
    public static nn.Module<Tensor, Tensor> CreateGenerator(ModelSpec model, long[] sampleShape)
    {
        var latent = model.LatentDim + model.Classes;
        return model.Name switch
        {
            ModelKind.Mlp => new MlpGenerator(latent, model.Hidden, sampleShape),
            ModelKind.Vanilla => new VanillaGenerator(latent, model.Hidden, sampleShape),
            ModelKind.Dcgan28 => new Dcgan28Generator(latent, (int)sampleShape[0]),
            ModelKind.Radford28 => new Radford28Generator(latent, model.Hidden, (int)sampleShape[0]),
            ModelKind.Dcgan64 => new Dcgan64Generator(latent, model.Hidden, (int)sampleShape[0]),
            ModelKind.Toy => new ToyGenerator(latent, model.Hidden, model.Layers),
            _ => throw new ArgumentOutOfRangeException(nameof(model), model.Name, "unknown model"),
        };
    }

    /// <summary>D for <paramref name="sampleShape"/>; a class-conditional D reads one more input channel (or feature) per class.</summary>
    public static nn.Module<Tensor, Tensor> CreateDiscriminator(ModelSpec model, long[] sampleShape, DropoutContext dropout, bool differentiatedTwice)
    {
        var pack = model.AntiCollapse.Pack;
        var unpacked = ClassConditioning.DiscriminatorInputShape(sampleShape, model.Classes);
        // A packed D reads its pack's samples side by side: m times the channels (images) or features (points).
        long[] input = [unpacked[0] * pack, .. unpacked[1..]];
        var parts = new DiscriminatorParts(model.AntiCollapse, differentiatedTwice);
        nn.Module<Tensor, Tensor> discriminator = model.Name switch
        {
            ModelKind.Mlp => new MlpDiscriminator(Features(input), model.DHidden, parts),
            ModelKind.Vanilla => new VanillaDiscriminator(Features(input), model.DHidden, parts),
            ModelKind.Dcgan28 => new Dcgan28Discriminator((int)input[0], dropout, parts),
            ModelKind.Radford28 => new Radford28Discriminator(model.DHidden, (int)input[0], parts),
            ModelKind.Dcgan64 => new Dcgan64Discriminator(model.DHidden, (int)input[0], parts),
            ModelKind.Toy => new ToyDiscriminator(input[0], model.DHidden, model.Layers, parts),
            _ => throw new ArgumentOutOfRangeException(nameof(model), model.Name, "unknown model"),
        };
        return pack > 1 ? new PackedDiscriminator(discriminator, pack) : discriminator;
    }

    private static long Features(long[] shape) => shape.Aggregate(1L, (a, b) => a * b);
}
