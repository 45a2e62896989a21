using GanCluster.Specs.Sweeps;
using GanCluster.Sweeps.Population;
using GanCluster.Sweeps.Sampling;
using static GanCluster.Sweeps.Tests.TestSweeps;

namespace GanCluster.Sweeps.Tests;

public sealed class PbtSearchTests
{
    private static readonly SweepParameter[] Space =
    [
        Parameter("optimizers.g.lr", new LogUniformDomain(1e-5, 1e-2)),
        Parameter("model.hidden", new IntDomain(32, 512)),
        Parameter("loss.kind", new ChoiceDomain(["hinge", "wgan-gp", "least-squares"])),
    ];

    private static PbtPolicy Policy(double resample = 0.25, MetricGoal goal = MetricGoal.Min) =>
        new(new PbtSearch(IntervalSteps: 100, PopulationSize: 8, ResampleProbability: resample), new ParameterSpace(Space), new SweepMetric("fd", goal));

    private static readonly double[] SourceRaw = [1e-3, 100, 1];

    private static List<PbtMember> Population(params double[] scores) => [.. scores.Select((s, i) => new PbtMember(i, s, SourceRaw))];

    [Theory]
    [InlineData(MetricGoal.Min)]
    [InlineData(MetricGoal.Max)]
    public void The_bottom_quarter_exploits_the_top_quarter(MetricGoal goal)
    {
        var sign = goal == MetricGoal.Min ? 1 : -1;
        // Eight members: q = ⌈8·0.25⌉ = 2. The best are trials 3 and 6, the worst 1 and 5 (NaN is the worst of all).
        var members = Population([.. new[] { 4, double.NaN, 5, 1, 6, 9, 2, 7 }.Select(s => sign * s)]);

        var exploits = Policy(goal: goal).Decide(members, new SweepRandom(1));

        Assert.Equal([1, 5], exploits.Select(e => e.Trial));
        Assert.All(exploits, e => Assert.Contains(e.SourceTrial, (int[])[3, 6]));
        static string Text(IEnumerable<PbtExploit> es) => string.Join(" | ", es.Select(e => $"{e.Trial}<-{e.SourceTrial} {string.Join(" ", e.Raw)}"));
        Assert.Equal(Text(exploits), Text(Policy(goal: goal).Decide(members, new SweepRandom(1))));
    }

    [Fact]
    public void A_population_of_three_has_one_exploit_and_of_one_none()
    {
        Assert.Equal([2], Policy().Decide(Population(1, 2, 3), new SweepRandom(1)).Select(e => e.Trial));
        Assert.Empty(Policy().Decide(Population(1), new SweepRandom(1)));
    }

    [Fact]
    public void Explore_multiplies_by_a_factor_or_moves_a_list_one_place_and_resamples_with_its_probability()
    {
        var random = new SweepRandom(3);
        var perturbed = Enumerable.Range(0, 400).Select(_ => Policy(resample: 0).Explore(SourceRaw, random)).ToList();
        Assert.All(perturbed, p =>
        {
            Assert.Contains(p[0], (double[])[0.8e-3, 1.2e-3]);
            Assert.Contains(p[1], (double[])[80, 120]);
            Assert.Contains(p[2], (double[])[0, 2]);
        });
        Assert.InRange(perturbed.Count(p => p[0] > 1e-3), 160, 240);

        var explored = Enumerable.Range(0, 400).Select(_ => Policy(resample: 0.25).Explore(SourceRaw, random)).ToList();
        var resampled = explored.Count(p => p[0] is not (0.8e-3 or 1.2e-3));
        Assert.InRange(resampled, 70, 130);
        Assert.All(explored, p => Assert.InRange(p[0], 1e-5, 1e-2));
    }

    [Fact]
    public void A_perturbed_value_stays_in_its_domain()
    {
        double[] atBounds = [1e-2, 512, 2];
        var random = new SweepRandom(4);
        for (var i = 0; i < 200; i++)
        {
            var p = Policy(resample: 0).Explore(atBounds, random);
            Assert.InRange(p[0], 1e-5, 1e-2);
            Assert.InRange(p[1], 32, 512);
            Assert.Equal(Math.Round(p[1]), p[1]);
            Assert.InRange(p[2], 0, 2);
        }
    }

    private static ISweepAlgorithm Sweep(bool synchronous) =>
        SweepAlgorithms.Create(Spec(new PbtSearch(IntervalSteps: 100, PopulationSize: 4, Synchronous: synchronous), Space, seeds: [1, 2], maxTrials: 10, steps: 400));

    [Fact]
    public void Synchronous_pbt_waits_for_the_whole_generation_then_the_worst_exploits_the_best()
    {
        var pbt = Sweep(synchronous: true);
        var trials = Drain(pbt);
        Assert.Equal([1, 2, 1, 2], trials.Select(t => t.Seed));

        Assert.IsType<TrialDecision.Continue>(pbt.Observe(0, 50, 9));
        Assert.IsType<TrialDecision.Wait>(pbt.Observe(0, 100, 3));
        Assert.IsType<TrialDecision.Wait>(pbt.Observe(1, 100, 8));
        Assert.IsType<TrialDecision.Wait>(pbt.Observe(3, 100, 1));
        Assert.Null(pbt.Resume(0));
        // The last of the generation: q = 1, so the worst (trial 1) takes the best (trial 3).
        Assert.IsType<TrialDecision.Continue>(pbt.Observe(2, 100, 5));
        var exploit = Assert.IsType<TrialDecision.Exploit>(pbt.Resume(1));
        Assert.Equal(3, exploit.SourceTrial);
        Assert.Equal(4, exploit.Configuration.Index);
        Assert.IsType<TrialDecision.Continue>(pbt.Resume(0));
        Assert.IsType<TrialDecision.Continue>(pbt.Resume(3));
        // After its exploit a trial trains on, and the next boundary is the next generation.
        Assert.IsType<TrialDecision.Continue>(pbt.Observe(1, 150, 2));
        Assert.IsType<TrialDecision.Wait>(pbt.Observe(1, 200, 2));
        Assert.Null(pbt.Resume(1));
    }

    [Fact]
    public void A_trial_that_ends_releases_the_generation_that_waited_for_it()
    {
        var pbt = Sweep(synchronous: true);
        Drain(pbt);
        Assert.IsType<TrialDecision.Wait>(pbt.Observe(0, 100, 3));
        Assert.IsType<TrialDecision.Wait>(pbt.Observe(1, 100, 8));
        Assert.IsType<TrialDecision.Wait>(pbt.Observe(2, 100, 5));
        pbt.Ended(3, TrialEnd.Collapsed);
        // Three running members: q = min(⌈0.75⌉, 1) = 1.
        Assert.Equal(0, Assert.IsType<TrialDecision.Exploit>(pbt.Resume(1)).SourceTrial);
    }

    [Fact]
    public void Synchronous_pbt_decides_the_same_whatever_order_the_generation_reports_in()
    {
        string Run(int[] order)
        {
            var pbt = Sweep(synchronous: true);
            Drain(pbt);
            double[] scores = [3, 8, 5, 1];
            foreach (var t in order)
                pbt.Observe(t, 100, scores[t]);
            return string.Join(" | ", Enumerable.Range(0, 4).Select(t => pbt.Resume(t) is TrialDecision.Exploit e ? $"{t}<-{e.SourceTrial} {string.Join(" ", e.Configuration.Overrides)}" : $"{t} go"));
        }

        Assert.Equal(Run([0, 1, 2, 3]), Run([3, 1, 0, 2]));
    }

    [Fact]
    public void Asynchronous_pbt_ranks_a_trial_at_its_boundary_against_the_newest_scores()
    {
        var pbt = Sweep(synchronous: false);
        Drain(pbt);
        Assert.IsType<TrialDecision.Continue>(pbt.Observe(0, 100, 3));   // alone: q = 0
        Assert.IsType<TrialDecision.Continue>(pbt.Observe(1, 100, 1));   // [3 1]: q = 1, and it is the best
        var exploit = Assert.IsType<TrialDecision.Exploit>(pbt.Observe(2, 100, 9)); // [3 1 9]: the worst
        Assert.Equal(1, exploit.SourceTrial);
        Assert.IsType<TrialDecision.Continue>(pbt.Observe(2, 150, 9));  // not a boundary
        Assert.True(!pbt.Finished);
    }

    [Fact]
    public void A_member_is_ranked_by_its_value_at_the_boundary_not_its_best()
    {
        // An exploit replaces a trial's weights, so an old best says nothing of the state it would hand on.
        var pbt = Sweep(synchronous: false);
        Drain(pbt);
        Assert.IsType<TrialDecision.Continue>(pbt.Observe(1, 100, 3));
        Assert.IsType<TrialDecision.Continue>(pbt.Observe(0, 50, 1));
        Assert.Equal(1, Assert.IsType<TrialDecision.Exploit>(pbt.Observe(0, 100, 9)).SourceTrial);
    }
}
