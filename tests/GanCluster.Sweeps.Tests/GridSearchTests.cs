using GanCluster.Specs.Sweeps;
using static GanCluster.Sweeps.Tests.TestSweeps;

namespace GanCluster.Sweeps.Tests;

public sealed class GridSearchTests
{
    private static readonly SweepParameter[] TwoByTwo =
    [
        Parameter("optimizers.g.lr", new GridDomain(["1.0e-4", "2.0e-4"])),
        Parameter("loss.kind", new ChoiceDomain(["hinge", "wgan-gp"])),
    ];

    [Fact]
    public void Grid_of_2x2_configurations_times_2_seeds_gives_exactly_the_8_expected_trials()
    {
        var grid = SweepAlgorithms.Create(Spec(new GridSearch(), TwoByTwo, seeds: [1, 2]));

        var trials = Drain(grid);

        Assert.Equal(
        [
            "#0 c0 seed 1: optimizers.g.lr=1.0e-4 loss.kind=hinge",
            "#1 c0 seed 2: optimizers.g.lr=1.0e-4 loss.kind=hinge",
            "#2 c1 seed 1: optimizers.g.lr=1.0e-4 loss.kind=wgan-gp",
            "#3 c1 seed 2: optimizers.g.lr=1.0e-4 loss.kind=wgan-gp",
            "#4 c2 seed 1: optimizers.g.lr=2.0e-4 loss.kind=hinge",
            "#5 c2 seed 2: optimizers.g.lr=2.0e-4 loss.kind=hinge",
            "#6 c3 seed 1: optimizers.g.lr=2.0e-4 loss.kind=wgan-gp",
            "#7 c3 seed 2: optimizers.g.lr=2.0e-4 loss.kind=wgan-gp",
        ], trials.Select(Describe));
        Assert.Null(grid.Next());
    }

    [Fact]
    public void Grid_is_finished_only_when_every_trial_has_ended()
    {
        var grid = SweepAlgorithms.Create(Spec(new GridSearch(), TwoByTwo, seeds: [1, 2]));
        var trials = Drain(grid);

        foreach (var t in trials.SkipLast(1))
        {
            Assert.IsType<TrialDecision.Continue>(grid.Observe(t.Trial, 800, 1.0));
            grid.Ended(t.Trial, TrialEnd.Completed);
        }
        Assert.False(grid.Finished);
        grid.Ended(trials[^1].Trial, TrialEnd.Failed);
        Assert.True(grid.Finished);
    }

    [Fact]
    public void Grid_stops_at_max_trials_in_the_middle_of_a_configuration()
    {
        var grid = SweepAlgorithms.Create(Spec(new GridSearch(), TwoByTwo, seeds: [1, 2], maxTrials: 3));

        var trials = Drain(grid);

        Assert.Equal(["#0 c0 seed 1", "#1 c0 seed 2", "#2 c1 seed 1"], trials.Select(t => Describe(t).Split(':')[0]));
        foreach (var t in trials)
            grid.Ended(t.Trial, TrialEnd.Completed);
        Assert.True(grid.Finished);
    }

    [Fact]
    public void Grid_refuses_a_continuous_axis_by_its_path()
    {
        var e = Assert.Throws<ArgumentException>(() => SweepAlgorithms.Create(Spec(new GridSearch(),
            [Parameter("optimizers.g.lr", new UniformDomain(0.1, 0.2))])));
        Assert.Contains("'optimizers.g.lr'", e.Message);
    }
}
