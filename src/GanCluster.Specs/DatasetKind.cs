namespace GanCluster.Specs;

/// <summary>Where a run's real samples come from (YAML <c>dataset.kind</c>).</summary>
public enum DatasetKind
{
    /// <summary>8 Gaussians on a circle (PacGAN's protocol), generated.</summary>
    Ring8,
    /// <summary>25 Gaussians on a 5×5 grid, generated.</summary>
    Grid25,
    /// <summary>IDX files (MNIST, Fashion-MNIST), with class labels.</summary>
    Idx,
    /// <summary>A folder of images (PGM, PNG, JPEG), one sub-folder per class.</summary>
    Images,
}
