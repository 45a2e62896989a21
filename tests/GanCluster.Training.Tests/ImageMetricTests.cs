using GanCluster.Training.Evaluation;
using static TorchSharp.torch;

namespace GanCluster.Training.Tests;

/// <summary>Each feature-space metric against cases whose answer is known: identical, disjoint, a dropped mode, one point.</summary>
public sealed class ImageMetricTests
{
    private const int Dim = 16;
    private const int Classes = 10;

    /// <summary>Features from a mixture of 10 well-separated Gaussians (sd 1, centres ~±8 apart), with their labels.</summary>
    private static (Tensor Features, Tensor Labels) Mixture(int n, long seed, int[]? onlyClasses = null)
    {
        using var centresGenerator = new Generator(42);
        using var centres = randn([Classes, Dim], generator: centresGenerator).mul_(8);
        using var generator = new Generator((ulong)seed);
        var allowed = tensor(onlyClasses ?? Enumerable.Range(0, Classes).ToArray()).to_type(ScalarType.Int64);
        var labels = allowed.index_select(0, randint(0, allowed.shape[0], [n], generator: generator));
        var features = centres.index_select(0, labels).add_(randn([n, Dim], generator: generator));
        return (features, labels);
    }

    private static Tensor ConfidentLogits(Tensor labels) => nn.functional.one_hot(labels, Classes).to_type(ScalarType.Float32).mul_(20);

    [Fact]
    public void Same_distribution_scores_at_the_ceiling()
    {
        var (real, _) = Mixture(3000, seed: 1);
        var (fake, labels) = Mixture(3000, seed: 2);
        var fd = FrechetDistance.Compute(real, fake);
        var (kid, kidSd) = KernelInceptionDistance.Compute(real, fake);
        var n = NeighbourhoodQuality.Compute(real, fake);
        var c = ClassQuality.FromLogits(ConfidentLogits(labels));
        // Sampling noise alone (the mixture's feature variance is ~65 per dimension): small against a dropped mode (see below).
        Assert.InRange(fd, 0, 3.0);
        // KID is unbiased: for one distribution its mean over subsets sits within noise of 0.
        Assert.InRange(Math.Abs(kid), 0, 3 * kidSd);
        Assert.InRange(n.Precision, 0.85, 1.0);
        Assert.InRange(n.Recall, 0.85, 1.0);
        Assert.InRange(n.Density, 0.85, 1.15);
        Assert.InRange(n.Coverage, 0.9, 1.0);
        Assert.Equal(10, c.ClassesCovered);
        Assert.InRange(c.ClassifierScore, 9.8, 10.0);
        Assert.InRange(c.LabelEntropy, 0.99 * Math.Log(10), Math.Log(10));
    }

    [Fact]
    public void Label_agreement_counts_samples_classified_as_the_class_they_were_drawn_for()
    {
        var labels = arange(1000, ScalarType.Int64).remainder(Classes);
        Assert.Null(ClassQuality.FromLogits(ConfidentLogits(labels)).LabelAgreement);
        Assert.Equal(1.0, ClassQuality.FromLogits(ConfidentLogits(labels), labels).LabelAgreement);
        // A G that draws every class well but never the one it was asked for: full score, no agreement.
        var ignored = ClassQuality.FromLogits(ConfidentLogits(labels), labels.add(1).remainder(Classes));
        Assert.Equal(0.0, ignored.LabelAgreement);
        Assert.InRange(ignored.ClassifierScore, 9.8, 10.0);
        var half = labels.clone();
        half[..500] = labels[..500].add(3).remainder(Classes);
        Assert.Equal(0.5, ClassQuality.FromLogits(ConfidentLogits(labels), half).LabelAgreement);
    }

    [Fact]
    public void Identical_samples_give_zero_distance_and_full_overlap()
    {
        var (real, _) = Mixture(1000, seed: 3);
        Assert.InRange(FrechetDistance.Compute(real, real), 0, 1e-6);
        var n = NeighbourhoodQuality.Compute(real, real);
        Assert.Equal(1.0, n.Precision);
        Assert.Equal(1.0, n.Recall);
        Assert.Equal(1.0, n.Coverage);
    }

    [Fact]
    public void Disjoint_distributions_share_nothing()
    {
        var (real, _) = Mixture(1000, seed: 4);
        var (fake, _) = Mixture(1000, seed: 5);
        fake.add_(1000);
        var n = NeighbourhoodQuality.Compute(real, fake);
        Assert.Equal(0.0, n.Precision);
        Assert.Equal(0.0, n.Recall);
        Assert.Equal(0.0, n.Density);
        Assert.Equal(0.0, n.Coverage);
        // A pure shift by 1000 in every one of 16 dimensions: the mean term alone is 16·1000².
        Assert.InRange(FrechetDistance.Compute(real, fake), 16e6 * 0.999, 16e6 * 1.001);
        Assert.True(KernelInceptionDistance.Compute(real, fake).Mean > 1e3);
    }

    [Fact]
    public void Frechet_distance_matches_the_closed_form_for_diagonal_gaussians()
    {
        using var m1 = tensor(new double[] { 0, 0, 0 });
        using var m2 = tensor(new double[] { 1, 2, 0 });
        using var s1 = diag(tensor(new double[] { 1, 4, 9 }));
        using var s2 = diag(tensor(new double[] { 4, 4, 1 }));
        // |Δμ|² = 5; Σ (σ₁ − σ₂)² = (1−2)² + 0 + (3−1)² = 5.
        Assert.Equal(10.0, FrechetDistance.Compute(m1, s1, m2, s2), 9);
    }

    [Fact]
    public void A_dropped_mode_shows_in_recall_coverage_and_classes()
    {
        var (real, _) = Mixture(4000, seed: 6);
        var kept = Enumerable.Range(0, 9).ToArray();
        var (fake, labels) = Mixture(4000, seed: 7, kept);
        var (same, _) = Mixture(4000, seed: 8);
        var n = NeighbourhoodQuality.Compute(real, fake);
        var full = NeighbourhoodQuality.Compute(real, same);
        var c = ClassQuality.FromLogits(ConfidentLogits(labels));
        // Recall and coverage lose the dropped tenth of the real data; precision loses nothing.
        Assert.InRange(n.Recall / full.Recall, 0.86, 0.94);
        Assert.InRange(n.Coverage / full.Coverage, 0.86, 0.94);
        Assert.InRange(n.Precision / full.Precision, 0.95, 1.05);
        Assert.Equal(9, c.ClassesCovered);
        Assert.InRange(c.ClassifierScore, 8.8, 9.0);
        Assert.Equal(0, c.ClassHistogram[9]);
        var (kidDropped, _) = KernelInceptionDistance.Compute(real, fake);
        Assert.True(kidDropped > 10 * Math.Abs(KernelInceptionDistance.Compute(real, same).Mean));
        Assert.True(FrechetDistance.Compute(real, fake) > 10 * FrechetDistance.Compute(real, same));
    }

    [Fact]
    public void All_samples_on_one_point_have_no_diversity()
    {
        var (real, realLabels) = Mixture(2000, seed: 9);
        // Every fake is the first real sample: perfectly "precise", nothing else.
        var fake = real.narrow(0, 0, 1).expand(2000, Dim).contiguous();
        var n = NeighbourhoodQuality.Compute(real, fake);
        Assert.Equal(1.0, n.Precision);
        Assert.InRange(n.Recall, 0, 0.01);
        Assert.InRange(n.Coverage, 0, 0.01);
        var c = ClassQuality.FromLogits(ConfidentLogits(realLabels.narrow(0, 0, 1).expand(2000).contiguous()));
        Assert.Equal(1, c.ClassesCovered);
        Assert.Equal(0.0, c.LabelEntropy, 9);
        Assert.Equal(1.0, c.ClassifierScore, 6);
    }
}
