using GanCluster.Specs.Sweeps;
using GanCluster.Training.Health;
using GanCluster.Training.Trainer;

namespace GanCluster.Training.Tests;

/// <summary>The verdict's dimensions (issue 16): modes, divergence, the quality trend, convergence, and hysteresis on each.</summary>
public sealed class VerdictDetectorTests
{
    private static readonly SweepMetric Fd = new("fd", MetricGoal.Min);
    private static readonly SweepMetric Mixture = SweepMetric.QualityOf(Specs.DatasetKind.Ring8);

    private static StepReport Report(long step, double diversity = 1.0, float loss = 1.3f) => new(step, loss, 0.7f, 0.6f, 0.4f, 1, 1, (float)diversity);

    /// <summary>An image evaluation: all classes, 90% precision, the given Fréchet distance against a constant baseline of 100.</summary>
    private static QualityEvidence Images(double fd, double coverage = 1, double precision = 0.9) => new(coverage, precision, fd, 100);

    private static List<RunVerdict> Replay(VerdictDetector detector, IEnumerable<(double Diversity, QualityEvidence? Evaluation)> reports)
    {
        var step = 0L;
        return [.. reports.Select(r => detector.Observe(Report(step += 50, r.Diversity), r.Evaluation))];
    }

    [Fact]
    public void An_image_run_without_an_evaluator_is_unmeasured_not_healthy()
    {
        var detector = new VerdictDetector(VerdictThresholds.Calibrated, Fd, measurable: false);
        var verdicts = Replay(detector, Enumerable.Repeat((1.0, (QualityEvidence?)null), 20));
        Assert.All(verdicts, v => Assert.Equal(HealthSummary.Unmeasured, v.Summary));
        Assert.Equal(QualityTrend.Unmeasured, verdicts[^1].Trend);
    }

    [Fact]
    public void Without_an_evaluator_the_cheap_signals_still_see_a_persistent_loss_of_diversity()
    {
        var detector = new VerdictDetector(VerdictThresholds.Calibrated, Fd, measurable: false);
        var verdicts = Replay(detector, Enumerable.Repeat((0.1, (QualityEvidence?)null), 10));
        Assert.Equal(ModeHealth.Collapsed, verdicts[^1].Modes);
    }

    [Fact]
    public void A_decaying_quality_metric_is_degrading_after_consecutive_evaluations()
    {
        var detector = new VerdictDetector(VerdictThresholds.Calibrated, Fd, measurable: true);
        // The conditional Fashion-MNIST recipe's Fréchet distances (bench/RESULTS.md): best 5.13 at 6k, then a slow decay.
        double[] fds = [11.83, 6.96, 5.13, 5.31, 5.39, 6.36, 7.98, 10.60, 12.59, 15.67];
        var trends = fds.Select(fd => detector.Observe(Report(1), Images(fd)).Trend).ToList();
        Assert.Equal(QualityTrend.Improving, trends[2]);
        Assert.NotEqual(QualityTrend.Degrading, trends[5]);      // 6.36 is worse than 5.13 by more than its noise, once;
        Assert.Equal(QualityTrend.Degrading, trends[6]);         // 7.98 confirms it
        Assert.Equal(QualityTrend.Degrading, trends[^1]);
        Assert.Equal((5.13, 1L), detector.Best);
        Assert.Equal(HealthSummary.Degrading, detector.Observe(Report(2), Images(16)).Summary);
    }

    [Fact]
    public void One_bad_evaluation_between_good_ones_is_not_a_trend()
    {
        var detector = new VerdictDetector(VerdictThresholds.Calibrated, Fd, measurable: true);
        double[] fds = [10, 8, 7, 12, 7.1, 12, 6.9];
        var trends = fds.Select(fd => detector.Observe(Report(1), Images(fd)).Trend).ToList();
        Assert.DoesNotContain(QualityTrend.Degrading, trends);
    }

    [Fact]
    public void Samples_far_from_the_data_are_not_converging_and_never_healthy()
    {
        var detector = new VerdictDetector(VerdictThresholds.Calibrated, Mixture, measurable: true);
        // Every mode reached, but only 5% of the samples within 3 sd of one: a blurry ring.
        var blurry = new QualityEvidence(1, 0.05, 0.05, null);
        var verdicts = Enumerable.Range(0, 4).Select(_ => detector.Observe(Report(1), blurry)).ToList();
        Assert.All(verdicts, v => Assert.Equal(Convergence.NotConverging, v.Convergence));
        Assert.All(verdicts, v => Assert.NotEqual(HealthSummary.Healthy, v.Summary));
        // The Fréchet rule: no better than the best constant image.
        var images = new VerdictDetector(VerdictThresholds.Calibrated, Fd, measurable: true);
        Assert.Equal(Convergence.NotConverging, images.Observe(Report(1), Images(120)).Convergence);
    }

    [Fact]
    public void The_verdict_does_not_flap_when_evaluations_alternate()
    {
        var detector = new VerdictDetector(VerdictThresholds.Calibrated, Mixture, measurable: true);
        // Coverage alternating between every mode and seven of eight: collapsing is adopted at once, healthy needs two in a row.
        var changes = 0;
        var previous = (RunVerdict?)null;
        for (var i = 0; i < 12; i++)
        {
            var v = detector.Observe(Report(i), new QualityEvidence(i % 2 == 0 ? 1.0 : 7 / 8.0, 0.9, 0.8, null));
            if (previous is not null && v.Modes != previous.Modes)
                changes++;
            previous = v;
        }
        Assert.Equal(ModeHealth.Collapsing, previous!.Modes);
        Assert.True(changes <= 1, $"{changes} changes of the modes state");
        // Two good evaluations in a row bring it back.
        detector.Observe(Report(20), new QualityEvidence(1, 0.9, 0.8, null));
        Assert.Equal(ModeHealth.Healthy, detector.Observe(Report(21), new QualityEvidence(1, 0.9, 0.8, null)).Modes);
    }

    [Fact]
    public void The_first_evaluation_overrules_the_cheap_signals_before_it()
    {
        var detector = new VerdictDetector(VerdictThresholds.Calibrated, Mixture, measurable: true);
        Replay(detector, Enumerable.Repeat((0.7, (QualityEvidence?)null), 5));
        Assert.Equal(ModeHealth.Healthy, detector.Observe(Report(300, 0.7), new QualityEvidence(1, 0.9, 0.8, null)).Modes);
    }

    [Fact]
    public void Low_coverage_is_collapsed_at_once_and_a_falling_diversity_after_a_full_evaluation_warns()
    {
        var detector = new VerdictDetector(VerdictThresholds.Calibrated, Mixture, measurable: true);
        Assert.Equal(ModeHealth.Collapsed, detector.Observe(Report(1), new QualityEvidence(0.5, 0.9, 0.4, null)).Modes);
        var warned = new VerdictDetector(VerdictThresholds.Calibrated with { DiversityDrop = 0.5 }, Mixture, measurable: true);
        Replay(warned, Enumerable.Repeat((1.0, (QualityEvidence?)null), 5));
        warned.Observe(Report(300), new QualityEvidence(1, 0.9, 0.8, null));
        var verdicts = Replay(warned, Enumerable.Repeat((0.2, (QualityEvidence?)null), 5));
        Assert.Equal(ModeHealth.Collapsing, verdicts[^1].Modes);
    }

    [Fact]
    public void A_run_that_will_be_evaluated_waits_for_its_first_evaluation_instead_of_trusting_a_young_gs_diversity()
    {
        var detector = new VerdictDetector(VerdictThresholds.Calibrated, Mixture, measurable: true);
        var verdicts = Replay(detector, Enumerable.Repeat((0.1, (QualityEvidence?)null), 10));
        Assert.All(verdicts, v => Assert.Equal(ModeHealth.Unmeasured, v.Modes));
    }

    [Fact]
    public void A_degrading_trend_ends_only_once_the_metric_is_back_within_half_its_noise_of_the_best()
    {
        var detector = new VerdictDetector(VerdictThresholds.Calibrated, Fd, measurable: true);
        // Best 10; the tolerance is 10% of it: 12 and 12 are degrading, 10.8 (inside 1.0, outside 0.5) is not yet back.
        double[] fds = [10, 12, 12, 10.8, 10.8, 10.3, 10.3];
        var trends = fds.Select(fd => detector.Observe(Report(1), Images(fd)).Trend).ToList();
        Assert.Equal(QualityTrend.Degrading, trends[2]);
        Assert.Equal(QualityTrend.Degrading, trends[4]);
        Assert.NotEqual(QualityTrend.Degrading, trends[6]);
    }

    [Fact]
    public void A_non_finite_loss_is_diverged()
    {
        var detector = new VerdictDetector(VerdictThresholds.Calibrated, Fd, measurable: true);
        Assert.Equal(HealthSummary.Diverged, detector.Observe(Report(1, loss: float.NaN), null).Summary);
    }

    [Fact]
    public void A_restored_detector_continues_the_uninterrupted_one()
    {
        double[] fds = [11.8, 7.0, 5.1, 5.3, 6.4, 8.0, 10.6, 12.6];
        var whole = new VerdictDetector(VerdictThresholds.Calibrated, Fd, measurable: true);
        var first = new VerdictDetector(VerdictThresholds.Calibrated, Fd, measurable: true);
        var expected = fds.Select(fd => whole.Observe(Report(1, 0.9), Images(fd))).ToList();
        foreach (var fd in fds[..4])
            first.Observe(Report(1, 0.9), Images(fd));
        var resumed = new VerdictDetector(VerdictThresholds.Calibrated, Fd, measurable: true);
        var (diversity, gap) = first.Window;
        resumed.Restore(first.State, diversity, gap);
        var rest = fds[4..].Select(fd => resumed.Observe(Report(1, 0.9), Images(fd))).ToList();
        Assert.Equal(expected[4..], rest);
        Assert.Equal(whole.State, resumed.State);
    }
}
