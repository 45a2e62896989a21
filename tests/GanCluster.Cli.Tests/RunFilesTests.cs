using GanCluster.Cli.Commands;
using GanCluster.Contracts.Control;

namespace GanCluster.Cli.Tests;

/// <summary><c>run samples</c> finds a run's grids on the local store, also those written before its first checkpoint.</summary>
public sealed class RunFilesTests
{
    private static string StoreWithGrids(string runId, params string[] grids)
    {
        var store = Path.Combine(CliProcess.NewDirectory(), "store");
        var samples = Directory.CreateDirectory(Path.Combine(store, runId, "samples")).FullName;
        foreach (var grid in grids)
            File.WriteAllBytes(Path.Combine(samples, grid), [0x89, (byte)'P', (byte)'N', (byte)'G']);
        return store;
    }

    [Fact]
    public void Grids_written_before_the_first_checkpoint_are_found()
    {
        var store = StoreWithGrids("r-early", "step-00000010.png", "step-00000020.png");
        var run = new Run { Id = "r-early", State = RunState.Running, Step = 25 };
        Assert.Equal(Path.Combine(store, "r-early", "samples", "step-00000020.png"), RunFiles.NewestSamples(run, store));
    }

    [Fact]
    public void With_a_checkpoint_its_folder_is_the_runs()
    {
        var store = StoreWithGrids("r-late", "step-00000010.png", "step-00000100.png");
        var run = new Run { Id = "r-late", Checkpoint = new Checkpoint { Path = Path.Combine(store, "r-late", "checkpoints", "step-00000100.gck"), Step = 100 } };
        Assert.Equal(Path.Combine(store, "r-late", "samples", "step-00000100.png"), RunFiles.NewestSamples(run, store));
        Assert.Null(RunFiles.NewestSamples(new Run { Id = "r-none" }, store));
    }
}
