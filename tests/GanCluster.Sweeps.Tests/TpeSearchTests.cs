using System.Globalization;
using GanCluster.Specs.Sweeps;
using static GanCluster.Sweeps.Tests.TestSweeps;

namespace GanCluster.Sweeps.Tests;

public sealed class TpeSearchTests
{
    private static readonly SweepParameter[] Space =
    [
        Parameter("optimizers.g.lr", new LogUniformDomain(1e-6, 1e-1)),
        Parameter("loss.kind", new ChoiceDomain(["hinge", "wgan-gp", "non-saturating", "least-squares"])),
        Parameter("model.layers", new IntDomain(1, 8)),
    ];

    /// <summary>A synthetic objective: quadratic in log10 lr around 10^-3.5, one right choice, three layers best.</summary>
    private static double Objective(TrialConfiguration c) =>
        Math.Pow(Math.Log10(double.Parse(c.Values["optimizers.g.lr"], CultureInfo.InvariantCulture)) + 3.5, 2)
        + (c.Values["loss.kind"] == "wgan-gp" ? 0 : 1)
        + 0.2 * Math.Abs(int.Parse(c.Values["model.layers"], CultureInfo.InvariantCulture) - 3);

    /// <summary>Trials one at a time, each scored when it ends; returns the configurations in order.</summary>
    private static List<TrialConfiguration> Run(SearchAlgorithm algorithm, long seed, int trials)
    {
        var sweep = SweepAlgorithms.Create(Spec(algorithm, Space, maxTrials: trials, seed: seed));
        var configurations = new List<TrialConfiguration>();
        while (sweep.Next() is { } t)
        {
            configurations.Add(t.Configuration);
            sweep.Observe(t.Trial, 400, Objective(t.Configuration) + 0.5);
            sweep.Observe(t.Trial, 800, Objective(t.Configuration));
            sweep.Ended(t.Trial, TrialEnd.Completed);
        }
        Assert.True(sweep.Finished);
        return configurations;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Tpe_after_startup_concentrates_samples_near_the_optimum_better_than_random(long seed)
    {
        // Over seeds 1 to 10, trials 20 to 59 of TPE lie 0.48 to 0.65 decades from the optimum against random's 1.1 to 1.4,
        // pick the right loss 72 to 82% of the time against 17 to 40%, and average an objective a third of random's.
        var tpe = Run(new TpeSearch(), seed, 60).Skip(20).ToList();
        var random = Run(new RandomSearch(), seed, 60).Skip(20).ToList();

        double Distance(TrialConfiguration c) => Math.Abs(Math.Log10(double.Parse(c.Values["optimizers.g.lr"], CultureInfo.InvariantCulture)) + 3.5);
        double RightChoice(IEnumerable<TrialConfiguration> cs) => cs.Average(c => c.Values["loss.kind"] == "wgan-gp" ? 1.0 : 0.0);

        Assert.True(tpe.Average(Distance) < 0.6 * random.Average(Distance), $"TPE {tpe.Average(Distance)} vs random {random.Average(Distance)}");
        Assert.True(RightChoice(tpe) > RightChoice(random) + 0.3, $"TPE {RightChoice(tpe)} vs random {RightChoice(random)}");
        Assert.True(tpe.Average(Objective) < 0.5 * random.Average(Objective), $"TPE {tpe.Average(Objective)} vs random {random.Average(Objective)}");
    }

    [Fact]
    public void Tpe_startup_trials_are_random_search_and_tpe_is_deterministic()
    {
        var tpe = Run(new TpeSearch(StartupTrials: 10), 5, 30).Select(c => string.Join(" ", c.Overrides)).ToList();
        var random = Run(new RandomSearch(), 5, 30).Select(c => string.Join(" ", c.Overrides)).ToList();

        Assert.Equal(random.Take(10), tpe.Take(10));
        Assert.NotEqual(random.Skip(10), tpe.Skip(10));
        Assert.Equal(tpe, Run(new TpeSearch(StartupTrials: 10), 5, 30).Select(c => string.Join(" ", c.Overrides)));
    }

    [Fact]
    public void Tpe_learns_only_from_ended_trials()
    {
        // Ten trials started but none ended: the eleventh is still a startup (random) draw.
        var spec = Spec(new TpeSearch(), Space, maxTrials: 30, seed: 9);
        var tpe = SweepAlgorithms.Create(spec);
        var random = SweepAlgorithms.Create(spec with { Algorithm = new RandomSearch() });
        for (var i = 0; i < 11; i++)
        {
            var t = tpe.Next()!;
            tpe.Observe(t.Trial, 800, Objective(t.Configuration));
            Assert.Equal(random.Next()!.Configuration.Overrides, t.Configuration.Overrides);
        }
    }
}
