namespace GanCluster.Cli.Tests;

/// <summary><c>train --out DIR</c> into a folder that already holds a run: refused unless told to continue it or start over.</summary>
public sealed class RunFolderTests
{
    private const string ToyYaml = """
        name: folder-toy
        seed: 4
        steps: 10
        batch_size: 32
        threads: 1
        model: { name: toy, latent_dim: 4, hidden: 16, layers: 2 }
        dataset: { kind: ring8 }
        report_every: 5
        checkpoint_every: 5
        sample_every: 5
        health: { eval_every: 0 }
        """;

    private static string TrainedRun()
    {
        var dir = CliProcess.NewDirectory();
        CliProcess.WriteSpec(dir, ToyYaml);
        var first = CliProcess.Run(dir, "train", "spec.yaml", "--out", "run");
        Assert.True(first.ExitCode == 0, first.ToString());
        return dir;
    }

    private static string[] Metrics(string dir) => File.ReadAllLines(Path.Combine(dir, "run", "metrics.jsonl"));

    [Fact]
    public void Training_into_a_folder_that_holds_a_run_is_refused_and_leaves_it_untouched()
    {
        var dir = TrainedRun();
        var before = Metrics(dir);
        var again = CliProcess.Run(dir, "train", "spec.yaml", "--out", "run");
        Assert.Equal(ExitCodes.UsageError, again.ExitCode);
        var error = Assert.Single(again.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("holds a run", error);
        Assert.Contains("--resume", error);
        Assert.Contains("--force", error);
        Assert.Equal(before, Metrics(dir));

        // The data-parallel launcher refuses the same way, before it starts any rank.
        var parallel = CliProcess.Run(dir, "train", "spec.yaml", "--out", "run", "--world-size", "2");
        Assert.Equal(ExitCodes.UsageError, parallel.ExitCode);
        Assert.Contains("holds a run", parallel.Output);
        Assert.False(File.Exists(Path.Combine(dir, "run", "rank-0.log")));
        Assert.Equal(before, Metrics(dir));
    }

    [Fact]
    public void Force_starts_over_and_resume_continues()
    {
        var dir = TrainedRun();
        File.WriteAllText(Path.Combine(dir, "run", "notes.txt"), "mine");
        var forced = CliProcess.Run(dir, "train", "spec.yaml", "--out", "run", "--force", "--steps", "5");
        Assert.True(forced.ExitCode == 0, forced.ToString());
        // The old run's files are gone: one report, one checkpoint, one grid; files that are not the run's stay.
        Assert.Single(Metrics(dir));
        Assert.Equal(["step-00000005.gck"], Directory.GetFiles(Path.Combine(dir, "run", "checkpoints")).Select(Path.GetFileName));
        Assert.Equal(["step-00000005.png"], Directory.GetFiles(Path.Combine(dir, "run", "samples")).Select(Path.GetFileName));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(dir, "run", "notes.txt")));

        var resumed = CliProcess.Run(dir, "train", "spec.yaml", "--out", "run", "--resume", "run/checkpoints/step-00000005.gck");
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal(2, Metrics(dir).Length);

        var both = CliProcess.Run(dir, "train", "spec.yaml", "--out", "run", "--force", "--resume", "run/checkpoints/step-00000005.gck");
        Assert.Equal(ExitCodes.UsageError, both.ExitCode);
    }

    [Fact]
    public void An_empty_folder_is_fine()
    {
        var dir = CliProcess.NewDirectory();
        CliProcess.WriteSpec(dir, ToyYaml);
        Directory.CreateDirectory(Path.Combine(dir, "run"));
        var run = CliProcess.Run(dir, "train", "spec.yaml", "--out", "run", "--steps", "5");
        Assert.True(run.ExitCode == 0, run.ToString());
    }
}
