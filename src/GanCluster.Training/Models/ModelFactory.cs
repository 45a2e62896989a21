using GanCluster.Training.Spec;
using static TorchSharp.torch;

namespace GanCluster.Training.Models;

/// <summary>Builds G and D by the model name of the run spec. Initialisation draws from torch's global RNG.</summary>
public static class ModelFactory
{
    public static GanNetworks Create(ModelSpec model, long[] sampleShape)
    {
        var dropout = new DropoutContext();
        var generator = CreateGenerator(model, sampleShape);
        var discriminator = CreateDiscriminator(model, sampleShape, dropout);
        var prior = model.Name == "vanilla" ? LatentPrior.Uniform : LatentPrior.Normal;
        return new GanNetworks(generator, discriminator, model.LatentDim, prior, sampleShape, dropout);
    }

    public static nn.Module<Tensor, Tensor> CreateGenerator(ModelSpec model, long[] sampleShape) => model.Name switch
    {
        "mlp" => new MlpGenerator(model.LatentDim, model.Hidden, sampleShape),
        "vanilla" => new VanillaGenerator(model.LatentDim, model.Hidden, sampleShape),
        "dcgan28" => new Dcgan28Generator(model.LatentDim, (int)sampleShape[0]),
        "radford28" => new Radford28Generator(model.LatentDim, model.Hidden, (int)sampleShape[0]),
        "dcgan64" => new Dcgan64Generator(model.LatentDim, model.Hidden, (int)sampleShape[0]),
        "toy" => new ToyGenerator(model.LatentDim, model.Hidden, model.Layers),
        _ => throw new ArgumentOutOfRangeException(nameof(model), model.Name, "unknown model"),
    };

    public static nn.Module<Tensor, Tensor> CreateDiscriminator(ModelSpec model, long[] sampleShape, DropoutContext dropout) => model.Name switch
    {
        "mlp" => new MlpDiscriminator(Features(sampleShape), model.Hidden),
        "vanilla" => new VanillaDiscriminator(Features(sampleShape), model.Hidden),
        "dcgan28" => new Dcgan28Discriminator((int)sampleShape[0], dropout),
        "radford28" => new Radford28Discriminator(model.Hidden, (int)sampleShape[0]),
        "dcgan64" => new Dcgan64Discriminator(model.Hidden, (int)sampleShape[0]),
        "toy" => new ToyDiscriminator(model.Hidden, model.Layers),
        _ => throw new ArgumentOutOfRangeException(nameof(model), model.Name, "unknown model"),
    };

    private static long Features(long[] shape) => shape.Aggregate(1L, (a, b) => a * b);
}
