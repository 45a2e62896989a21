using GanCluster.Specs.Sweeps;
using GanCluster.Sweeps.Scoring;

namespace GanCluster.Sweeps.Tests;

public sealed class SweepScoringTests
{
    private static readonly SweepMetric Fd = new("fd", MetricGoal.Min);
    private static readonly SweepMetric Coverage = new("coverage", MetricGoal.Max);

    private static TrialOutcome Trial(int configuration, double? best, TrialEnd? end = TrialEnd.Completed) =>
        new(0, configuration, 0, end, best is { } b ? new TrialScore(b, 100) : null);

    [Fact]
    public void A_trials_score_is_its_best_value_with_its_step_never_NaN_never_the_last()
    {
        MetricEvaluation[] evaluations = [new(100, 5), new(200, double.NaN), new(300, 2), new(400, 3)];

        Assert.Equal(new TrialScore(2, 300), SweepScoring.Best(evaluations, Fd));
        Assert.Equal(new TrialScore(5, 100), SweepScoring.Best(evaluations, Coverage));
        Assert.Null(SweepScoring.Best([new MetricEvaluation(100, double.NaN)], Fd));
    }

    [Fact]
    public void Collapsed_and_diverged_trials_score_as_the_worst_and_failed_ones_not_at_all()
    {
        var best = new TrialScore(1, 100);
        Assert.Equal(double.PositiveInfinity, SweepScoring.FinalScore(TrialEnd.Collapsed, best, Fd));
        Assert.Equal(double.NegativeInfinity, SweepScoring.FinalScore(TrialEnd.Diverged, best, Coverage));
        Assert.Equal(1, SweepScoring.FinalScore(TrialEnd.Stopped, best, Fd));
        Assert.Null(SweepScoring.FinalScore(TrialEnd.Failed, best, Fd));
        Assert.Null(SweepScoring.FinalScore(null, best, Fd));
    }

    [Fact]
    public void Aggregates_match_hand_computed_values()
    {
        // Scores 1, 2, 3, 6: mean 3, sd √(14/3), t(0.975, 3) = 3.182446305284263, median 2.5.
        TrialOutcome[] seeds = [Trial(4, 6), Trial(4, 1), Trial(4, 3), Trial(4, 2), Trial(4, 0.1, TrialEnd.Collapsed), Trial(4, 0.2, TrialEnd.Failed), Trial(4, 0.3, TrialEnd.Diverged)];

        var a = SweepScoring.Aggregate(4, seeds, Fd);

        var sd = Math.Sqrt(14.0 / 3);
        var half = 3.182446305284263 * sd / 2;
        Assert.Equal((4, 7, 4, 1, 1), (a.Configuration, a.Seeds, a.Scored, a.Collapsed, a.Diverged));
        Assert.Equal(3, a.Mean, 12);
        Assert.Equal(sd, a.StandardDeviation, 12);
        Assert.Equal(3 - half, a.ConfidenceLow, 9);
        Assert.Equal(3 + half, a.ConfidenceHigh, 9);
        Assert.Equal(2.5, a.Median, 12);
        Assert.Equal((1.0, 6.0), (a.Best, a.Worst));

        var m = SweepScoring.Aggregate(4, seeds, Coverage);
        Assert.Equal((6.0, 1.0), (m.Best, m.Worst));
    }

    [Fact]
    public void One_seed_has_a_mean_and_a_median_but_no_spread()
    {
        var a = SweepScoring.Aggregate(0, [Trial(0, 0.7), Trial(0, null)], Fd);

        Assert.Equal((2, 1, 0.7, 0.7), (a.Seeds, a.Scored, a.Mean, a.Median));
        Assert.True(double.IsNaN(a.StandardDeviation) && double.IsNaN(a.ConfidenceLow) && double.IsNaN(a.ConfidenceHigh));
    }

    [Fact]
    public void Configurations_rank_by_mean_under_the_goal_and_a_collapse_ranks_after_every_clean_one()
    {
        TrialOutcome[] trials =
        [
            Trial(0, 3), Trial(0, 5),         // mean 4
            Trial(1, 1), Trial(1, 2),         // mean 1.5
            Trial(2, 0.1), Trial(2, 0.2, TrialEnd.Collapsed), // the best mean, but a seed collapsed
            Trial(3, 2), Trial(3, 8),         // mean 5
            Trial(4, null, null),             // running, nothing yet
        ];

        Assert.Equal([1, 0, 3, 4, 2], SweepScoring.Rank(trials, Fd).Select(a => a.Configuration));
        Assert.Equal([3, 0, 1, 4, 2], SweepScoring.Rank(trials, Coverage).Select(a => a.Configuration));
    }
}
