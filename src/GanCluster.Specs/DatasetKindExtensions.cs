namespace GanCluster.Specs;

/// <summary>Facts about dataset kinds that several parts ask.</summary>
public static class DatasetKindExtensions
{
    /// <summary>The generated 2D mixtures, measured by mode coverage rather than an image evaluator.</summary>
    public static bool IsMixture(this DatasetKind kind) => kind is DatasetKind.Ring8 or DatasetKind.Grid25;
}
