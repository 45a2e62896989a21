using System.Globalization;
using GanCluster.Specs.Sweeps;
using static GanCluster.Sweeps.Tests.TestSweeps;

namespace GanCluster.Sweeps.Tests;

public sealed class RandomSearchTests
{
    private static readonly SweepParameter[] Space =
    [
        Parameter("optimizers.g.lr", new LogUniformDomain(1e-5, 1e-2)),
        Parameter("ema.decay", new UniformDomain(0.9, 0.999)),
        Parameter("loss.gp_weight", new UniformDomain(0.1, 0.9, 0.05)),
        Parameter("model.hidden", new IntDomain(16, 250, 16)),
        Parameter("model.layers", new IntDomain(1, 5)),
        Parameter("optimizers.d.lr", new LogUniformDomain(1e-4, 1e-2, 1e-4)),
        Parameter("loss.kind", new ChoiceDomain(["hinge", "wgan-gp", "non-saturating"])),
        Parameter("batch_size", new GridDomain(["64", "128"])),
    ];

    private static List<string> Sample(long seed, int trials = 60, IReadOnlyList<long>? seeds = null) =>
        [.. Drain(SweepAlgorithms.Create(Spec(new RandomSearch(), Space, seeds: seeds, maxTrials: trials, seed: seed))).Select(Describe)];

    [Fact]
    public void Random_search_is_deterministic_for_a_seed_and_differs_for_another()
    {
        Assert.Equal(Sample(seed: 3), Sample(seed: 3));
        Assert.Equal(60, Sample(seed: 3).Distinct().Count());
        var other = Sample(seed: 4);
        Assert.Empty(Sample(seed: 3).Intersect(other));
    }

    [Fact]
    public void Random_values_lie_in_their_domains_and_respect_the_quantum()
    {
        var trials = Drain(SweepAlgorithms.Create(Spec(new RandomSearch(), Space, maxTrials: 500, seed: 11)));

        Assert.Equal(500, trials.Count);
        foreach (var t in trials)
        {
            var v = t.Configuration.Values;
            Assert.InRange(Number(v["optimizers.g.lr"]), 1e-5, 1e-2);
            Assert.InRange(Number(v["ema.decay"]), 0.9, 0.999);
            AssertMultiple(Number(v["loss.gp_weight"]), 0.05, 0.1, 0.9);
            Assert.True(v["loss.gp_weight"].Length <= 4, $"'{v["loss.gp_weight"]}' is written with more decimals than q has");
            AssertMultiple(long.Parse(v["model.hidden"], CultureInfo.InvariantCulture), 16, 16, 240);
            Assert.InRange(long.Parse(v["model.layers"], CultureInfo.InvariantCulture), 1, 5);
            AssertMultiple(Number(v["optimizers.d.lr"]), 1e-4, 1e-4, 1e-2);
            Assert.Contains(v["loss.kind"], (string[])["hinge", "wgan-gp", "non-saturating"]);
            Assert.Contains(v["batch_size"], (string[])["64", "128"]);
        }
        // Every value of the small domains is drawn, the bounds of the integer one included.
        Assert.Equal(["1", "2", "3", "4", "5"], trials.Select(t => t.Configuration.Values["model.layers"]).Distinct().Order());
        Assert.Equal(3, trials.Select(t => t.Configuration.Values["loss.kind"]).Distinct().Count());
        // Log-uniform: about a third of the draws in each decade.
        var firstDecade = trials.Count(t => Number(t.Configuration.Values["optimizers.g.lr"]) < 1e-4);
        Assert.InRange(firstDecade, 120, 215);
    }

    [Fact]
    public void Random_search_trains_each_configuration_with_every_seed()
    {
        var trials = Drain(SweepAlgorithms.Create(Spec(new RandomSearch(), Space, seeds: [5, 6, 7], maxTrials: 7)));

        Assert.Equal([5, 6, 7, 5, 6, 7, 5], trials.Select(t => t.Seed));
        Assert.Equal([0, 0, 0, 1, 1, 1, 2], trials.Select(t => t.Configuration.Index));
        Assert.Equal(trials[0].Configuration.Overrides, trials[2].Configuration.Overrides);
        Assert.NotEqual(trials[0].Configuration.Overrides, trials[3].Configuration.Overrides);
    }

    private static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    private static void AssertMultiple(double value, double q, double low, double high)
    {
        Assert.InRange(value, low - 1e-12, high + 1e-12);
        var k = value / q;
        Assert.True(Math.Abs(k - Math.Round(k)) < 1e-9, $"{value} is not a multiple of {q}");
    }
}
