namespace GanCluster.Specs;

/// <summary>The adversarial objective (YAML <c>loss.kind</c>).</summary>
public enum LossKind
{
    Minimax,
    NonSaturating,
    Hinge,
    WganGp,
}
