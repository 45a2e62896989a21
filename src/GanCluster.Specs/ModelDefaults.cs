namespace GanCluster.Specs;

/// <summary>The published defaults of each model: latent size, width, depth and optimizer.</summary>
public sealed record ModelDefaults(int LatentDim, int Hidden, int Layers, OptimizerSpec Optimizer)
{
    private static readonly OptimizerSpec DcganAdam = new(OptimizerKind.Adam, 2e-4, 0.5, 0.999, 0.99, 0, 0);

    public static ModelDefaults For(ModelKind model) => model switch
    {
        ModelKind.Mlp => new(100, 128, 2, DcganAdam),
        ModelKind.Vanilla => new(100, 128, 1, new(OptimizerKind.Sgd, 0.1, 0.9, 0.999, 0.99, 0.5, 0)),
        ModelKind.Dcgan28 => new(32, 64, 2, new(OptimizerKind.Rmsprop, 4e-4, 0.9, 0.999, 0.9, 0, 0)),
        ModelKind.Radford28 => new(100, 64, 2, DcganAdam),
        ModelKind.Dcgan64 => new(100, 64, 4, DcganAdam),
        ModelKind.Toy => new(16, 128, 3, new(OptimizerKind.Adam, 1e-3, 0.5, 0.999, 0.99, 0, 0)),
        _ => throw new ArgumentOutOfRangeException(nameof(model), model, "a model without defaults"),
    };
}
