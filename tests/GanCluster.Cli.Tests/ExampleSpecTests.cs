namespace GanCluster.Cli.Tests;

/// <summary>Every shipped example trains a few steps through the real CLI on the real shared data.</summary>
public sealed class ExampleSpecTests
{
    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "GanCluster.sln")))
                return dir.FullName;
        throw new InvalidOperationException("GanCluster.sln not found above " + AppContext.BaseDirectory);
    }

    [Theory]
    [InlineData("ring8.yaml", null)]
    [InlineData("grid25.yaml", null)]
    [InlineData("mlp-mnist.yaml", "mnist")]
    [InlineData("vanilla-mnist.yaml", "mnist")]
    [InlineData("dcgan28-fashion.yaml", "fashion-mnist")]
    [InlineData("dcgan64-faces.yaml", "faces/att-orl")]
    public void Example_trains_from_the_repository_root(string example, string? sharedData)
    {
        var root = RepositoryRoot();
        if (sharedData is not null && !Directory.Exists(Path.Combine(root, "..", "shared", "data", sharedData)))
            Assert.Skip($"SKIPPED LOUDLY: ../shared/data/{sharedData} is absent, so examples/{example} cannot be run here.");
        var output = CliProcess.NewDirectory();
        // The examples' dataset paths are relative to the repository root, where users run ./gancluster.
        var result = CliProcess.Run(root, "train", Path.Combine("examples", example), "--out", output,
            "--steps", "3", "--set", "report_every=1", "--set", "sample_every=3", "--set", "checkpoint_every=3", "--set", "batch_size=16", "--set", "sample_count=16");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("step 3/3", result.Output);
        Assert.True(File.Exists(Path.Combine(output, "samples", "step-00000003.png")));
        Assert.True(File.Exists(Path.Combine(output, "checkpoints", "step-00000003.gck")));
    }
}
