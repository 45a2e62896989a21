using SkiaSharp;

namespace GanCluster.Cli.Tests;

/// <summary><c>gancluster plot RUN_DIR...</c>: metrics of runs against step, one panel per metric (issue 16, point 6).</summary>
public sealed class PlotCommandTests
{
    private const string ToyYaml = """
        name: plot-toy
        seed: 3
        steps: 60
        batch_size: 64
        threads: 1
        model: { name: toy, latent_dim: 4, hidden: 32, layers: 2 }
        dataset: { kind: ring8 }
        report_every: 10
        checkpoint_every: 60
        health: { eval_every: 20, eval_samples: 500 }
        """;

    [Fact]
    public void Two_runs_are_drawn_one_panel_per_metric_and_the_table_names_each_runs_evaluations()
    {
        var dir = CliProcess.NewDirectory();
        CliProcess.WriteSpec(dir, ToyYaml);
        foreach (var (run, seed) in new[] { ("a", 3), ("b", 4) })
            Assert.Equal(0, CliProcess.Run(dir, "train", "spec.yaml", "--out", run, "--set", $"seed={seed}").ExitCode);

        // Default metrics: the run's quality metric, d_loss and g_loss.
        var plot = CliProcess.Run(dir, "plot", "a", "b", "--out", "all.png");
        Assert.True(plot.ExitCode == 0, plot.ToString());
        using (var image = SKBitmap.Decode(Path.Combine(dir, "all.png")))
            Assert.Equal((1100, 3 * 380), (image.Width, image.Height));
        Assert.Contains("balanced_quality_fraction", plot.Output);

        // An evaluated metric has one point per evaluation (steps 20, 40, 60), not one per report.
        var one = CliProcess.Run(dir, "plot", "a", "b", "--metric", "modes_covered", "--out", "modes.png");
        Assert.True(one.ExitCode == 0, one.ToString());
        var rows = one.Output.Split('\n').Where(l => l.Contains("modes_covered") && (l.Contains("│ a ") || l.Contains("│ b "))).ToList();
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Contains("│ 3 ", r));
        using (var image = SKBitmap.Decode(Path.Combine(dir, "modes.png")))
            Assert.Equal(380, image.Height);
    }

    [Fact]
    public void An_unknown_metric_a_folder_without_metrics_and_a_non_png_output_are_usage_errors_naming_the_cause()
    {
        var dir = CliProcess.NewDirectory();
        CliProcess.WriteSpec(dir, ToyYaml);
        Assert.Equal(0, CliProcess.Run(dir, "train", "spec.yaml", "--out", "run", "--steps", "20").ExitCode);

        var unknown = CliProcess.Run(dir, "plot", "run", "--metric", "fid", "--out", "x.png");
        Assert.Equal(ExitCodes.UsageError, unknown.ExitCode);
        Assert.Contains("no run given reports 'fid'", unknown.Output);
        Assert.Contains("d_loss", unknown.Output);

        Directory.CreateDirectory(Path.Combine(dir, "empty"));
        var empty = CliProcess.Run(dir, "plot", "empty", "--out", "x.png");
        Assert.Equal(ExitCodes.UsageError, empty.ExitCode);
        Assert.Contains("has no metrics.jsonl", empty.Output);

        var svg = CliProcess.Run(dir, "plot", "run", "--out", "x.svg");
        Assert.Equal(ExitCodes.UsageError, svg.ExitCode);
        Assert.Contains(".png", svg.Output);
        Assert.False(File.Exists(Path.Combine(dir, "x.png")));
    }
}
