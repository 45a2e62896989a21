using GanCluster.Specs.Sweeps;
using static GanCluster.Sweeps.Tests.TestSweeps;

namespace GanCluster.Sweeps.Tests;

public sealed class AshaSearchTests
{
    private static readonly SweepParameter[] Space = [Parameter("optimizers.g.lr", new LogUniformDomain(1e-5, 1e-2))];

    private static ISweepAlgorithm Asha(int? meanOfLast = null, MetricGoal goal = MetricGoal.Min, long steps = 800) =>
        SweepAlgorithms.Create(Spec(new AshaSearch(GraceSteps: 100, Eta: 2, MeanOfLast: meanOfLast), Space, maxTrials: 4, steps: steps, goal: goal));

    private static string Decide(ISweepAlgorithm asha, int trial, long step, double value) =>
        asha.Observe(trial, step, value) is TrialDecision.Stop ? "stop" : "go";

    [Theory]
    [InlineData(MetricGoal.Min)]
    [InlineData(MetricGoal.Max)]
    public void Asha_stops_exactly_the_expected_trials_at_each_rung(MetricGoal goal)
    {
        var sign = goal == MetricGoal.Min ? 1.0 : -1.0;
        var asha = Asha(goal: goal);
        Assert.Equal(4, Drain(asha).Count);

        // Rungs at 100, 200 and 400 (800 is the end); the top ⌊n/2⌋ of the n scores at a rung go on.
        string[] script =
        [
            "0 50 9 go",      // before the first rung: nothing is recorded
            "0 100 5 go",     // rung 100: [5], fewer than η
            "1 100 3 go",     // [5 3]: the top 1 is 3
            "2 100 4 stop",   // [5 3 4]: the top 1 is 3
            "3 100 1 go",     // [5 3 4 1]: the top 2 are 1, 3
            "1 200 2 go",     // rung 200: [2]
            "3 200 2.5 go",   // its best so far is 1: [2 1]
            "0 200 4.5 stop", // [2 1 4.5]: the top 1 is 1
            "3 400 2 go",     // rung 400: [1]
            "1 400 1.5 stop", // [1 1.5]
            "3 800 0.5 go",   // past the last rung
        ];
        foreach (var line in script)
        {
            var f = line.Split(' ');
            Assert.True(f[3] == Decide(asha, int.Parse(f[0]), long.Parse(f[1]), sign * double.Parse(f[2])), line);
        }
        // A stopped trial that reports again is told again.
        Assert.IsType<TrialDecision.Stop>(asha.Observe(2, 150, sign * 0.1));
    }

    [Fact]
    public void A_trial_that_jumps_past_several_rungs_is_judged_at_each_in_turn()
    {
        var asha = Asha();
        Drain(asha);
        Assert.Equal("go", Decide(asha, 0, 100, 1));
        Assert.Equal("go", Decide(asha, 0, 200, 1));
        Assert.Equal("go", Decide(asha, 1, 100, 0.5));
        // Trial 2 first reports at step 250: judged at rung 100 first, where 2 is not in the top 1 of [1 0.5 2].
        var stop = Assert.IsType<TrialDecision.Stop>(asha.Observe(2, 250, 2));
        Assert.Contains("step 100", stop.Reason);
        // Trial 3 at step 250 ties for the top 2 of [1 0.5 2 1] at rung 100, then for the top 1 of [1 1] at rung 200.
        Assert.Equal("go", Decide(asha, 3, 250, 1));
    }

    [Fact]
    public void A_non_monotone_stream_is_judged_by_its_best_value_unless_mean_of_last_is_set()
    {
        // B is steady at 2; A dips to 1 before the rung and reports 3 at it: its best (1) beats B, its last (3) does not.
        string Judge(int? meanOfLast)
        {
            var asha = Asha(meanOfLast);
            Drain(asha);
            Assert.Equal("go", Decide(asha, 1, 50, 2));
            Assert.Equal("go", Decide(asha, 1, 100, 2));
            Assert.Equal("go", Decide(asha, 0, 50, 1));
            return Decide(asha, 0, 100, 3);
        }

        Assert.Equal("go", Judge(meanOfLast: null));
        Assert.Equal("stop", Judge(meanOfLast: 1));
        // The mean of A's last two is 2: a tie with B, and ties go on.
        Assert.Equal("go", Judge(meanOfLast: 2));
    }

    [Fact]
    public void A_NaN_evaluation_scores_as_the_worst_at_a_rung()
    {
        var asha = Asha();
        Drain(asha);
        Assert.Equal("go", Decide(asha, 0, 100, 100));
        Assert.Equal("stop", Decide(asha, 1, 100, double.NaN));
    }

    [Fact]
    public void Asha_samples_new_configurations_until_max_trials_and_finishes_when_all_ended()
    {
        var asha = Asha();
        var trials = Drain(asha);
        Assert.Equal([0, 1, 2, 3], trials.Select(t => t.Configuration.Index));
        Assert.False(asha.Finished);
        foreach (var t in trials)
            asha.Ended(t.Trial, TrialEnd.Stopped);
        Assert.True(asha.Finished);
    }
}
