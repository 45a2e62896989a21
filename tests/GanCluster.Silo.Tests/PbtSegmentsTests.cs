using GanCluster.Contracts;
using GanCluster.Contracts.Grains;
using GanCluster.Silo.Sweeps;
using GanCluster.Specs.Sweeps;

namespace GanCluster.Silo.Tests;

/// <summary>Where a PBT trial's next segment starts (issue 14): its own checkpoint, the exploited trial's once written, or its own when the donor has none.</summary>
public sealed class PbtSegmentsTests
{
    private static readonly PbtSearch Pbt = new(IntervalSteps: 50, PopulationSize: 2);

    private static CheckpointRef Checkpoint(string run, long step) => new($"/store/{run}/checkpoints/step-{step:D8}.gck", new string('a', 64), step);

    private static TrialRecord Trial(int number, long boundary, bool ended = true)
    {
        var trial = new TrialRecord { Trial = number, RunId = $"sw-t{number:D4}" };
        trial.Segments.Add(PbtSegments.First(trial, Pbt, 150));
        if (ended)
            (trial.Segments[^1].End, trial.Between) = (Checkpoint(trial.RunId, boundary), boundary);
        return trial;
    }

    [Fact]
    public void Segments_end_on_interval_boundaries_and_at_the_last_step()
    {
        Assert.Equal(50, PbtSegments.End(0, Pbt, 150));
        Assert.Equal(100, PbtSegments.End(50, Pbt, 150));
        Assert.Equal(100, PbtSegments.End(60, Pbt, 150));
        Assert.Equal(130, PbtSegments.End(100, Pbt, 130));
    }

    [Fact]
    public void A_trial_goes_on_from_its_own_checkpoint_or_waits_for_its_donors_then_takes_it()
    {
        var own = Trial(0, 50);
        own.Next = new SegmentPlan(null, 0, []);
        Assert.Equal(("sw-t0000", (int?)null), PbtSegments.StartOf(own, [own]) is { } s ? (s.Run, s.Source) : default);

        var donor = Trial(1, 50, ended: false);
        var exploiting = Trial(2, 50);
        exploiting.Next = new SegmentPlan(1, 5, new() { ["optimizers.g.lr"] = "0.001" });
        // The donor's segment has not written its boundary checkpoint yet: wait.
        Assert.Null(PbtSegments.StartOf(exploiting, [own, donor, exploiting]));
        donor.Segments[^1].End = Checkpoint(donor.RunId, 50);
        var start = PbtSegments.StartOf(exploiting, [own, donor, exploiting]);
        Assert.Equal(("sw-t0001", (int?)1, 50L), (start!.Value.Run, start.Value.Source, start.Value.Start.Step));
    }

    [Fact]
    public void A_donor_that_ended_without_a_checkpoint_leaves_the_trial_on_its_own_state_with_a_note()
    {
        var donor = Trial(1, 50, ended: false);
        donor.State = RunState.Failed;
        var exploiting = Trial(2, 50);
        exploiting.Next = new SegmentPlan(1, 5, []);
        var start = PbtSegments.StartOf(exploiting, [donor, exploiting]);
        Assert.Equal(("sw-t0002", (int?)null), (start!.Value.Run, start.Value.Source));
        Assert.Contains("trial 1 ended without a checkpoint", start.Value.Note);
    }

    [Fact]
    public void A_boundary_is_the_current_segments_end_before_the_last_step()
    {
        var trial = Trial(0, 50, ended: false);
        Assert.True(PbtSegments.IsBoundary(trial, 50, 150));
        Assert.False(PbtSegments.IsBoundary(trial, 40, 150));
        Assert.False(PbtSegments.IsBoundary(trial, 50, 50));
    }
}
