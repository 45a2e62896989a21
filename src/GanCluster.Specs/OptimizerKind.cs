namespace GanCluster.Specs;

/// <summary>An optimizer (YAML <c>optimizers.g.kind</c>, <c>optimizers.d.kind</c>).</summary>
public enum OptimizerKind
{
    Adam,
    Rmsprop,
    Sgd,
}
