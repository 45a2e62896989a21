namespace GanCluster.Specs;

/// <summary>The GAN architectures a run can train (YAML <c>model.name</c>).</summary>
public enum ModelKind
{
    Mlp,
    Vanilla,
    Dcgan28,
    Radford28,
    Dcgan64,
    /// <summary>The small MLP pair for 2D mixtures.</summary>
    Toy,
}
