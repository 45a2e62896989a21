namespace GanCluster.Training.Spec;

/// <summary>The published defaults of each model: latent size, width, depth and optimizer.</summary>
public sealed record ModelDefaults(int LatentDim, int Hidden, int Layers, OptimizerSpec Optimizer)
{
    private static readonly OptimizerSpec DcganAdam = new("adam", 2e-4, 0.5, 0.999, 0.99, 0, 0);

    public static ModelDefaults For(string model) => model switch
    {
        "mlp" => new(100, 128, 2, DcganAdam),
        "vanilla" => new(100, 128, 1, new("sgd", 0.1, 0.9, 0.999, 0.99, 0.5, 0)),
        "dcgan28" => new(32, 64, 2, new("rmsprop", 4e-4, 0.9, 0.999, 0.9, 0, 0)),
        "radford28" => new(100, 64, 2, DcganAdam),
        "dcgan64" => new(100, 64, 4, DcganAdam),
        "toy" => new(16, 128, 3, new("adam", 1e-3, 0.5, 0.999, 0.99, 0, 0)),
        _ => throw new ArgumentOutOfRangeException(nameof(model), model, "unknown model"),
    };
}
