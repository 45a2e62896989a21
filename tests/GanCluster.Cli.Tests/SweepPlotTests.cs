using GanCluster.Cli.Plots;
using GanCluster.Contracts.Control;
using SkiaSharp;

namespace GanCluster.Cli.Tests;

/// <summary>sweep plot draws every trial's curve, its stops and its best, and the score against each parameter (issue 14).</summary>
public sealed class SweepPlotTests
{
    [Fact]
    public void A_plot_has_a_curve_panel_and_one_panel_per_parameter_and_marks_stopped_trials()
    {
        var sweep = new Sweep { Id = "s", Name = "plot-test", Algorithm = "asha", Metric = "fd", Maximise = false, MaxTrials = 6 };
        var random = new Random(3);
        for (var i = 0; i < 6; i++)
        {
            var trial = new Trial { Number = i, RunId = $"s-t{i:D4}", Configuration = i / 2, Seed = i % 2, State = RunState.Completed, Step = 400 };
            trial.Values.Add("optimizers.g.lr", (1e-4 * Math.Pow(10, i / 2.0)).ToString("R", System.Globalization.CultureInfo.InvariantCulture));
            trial.Values.Add("loss.kind", i % 3 == 0 ? "hinge" : "non-saturating");
            var steps = i < 4 ? 4 : 1;
            for (var s = 1; s <= steps; s++)
                trial.Curve.Add(new TrialPoint { Step = s * 100, Value = 50 - 5 * s + random.NextDouble() * 10 });
            var best = trial.Curve.MinBy(p => p.Value)!;
            (trial.Best, trial.BestStep) = (best.Value, best.Step);
            if (steps == 1)
                trial.Stopped = "asha rung 0";
            sweep.Trials.Add(trial);
        }
        var file = Path.Combine(CliProcess.NewDirectory(), "plot.png");
        SweepPlot.Write(sweep, file);

        using var image = SKBitmap.Decode(file);
        Assert.Equal(1200, image.Width);
        Assert.Equal(520 + 360, image.Height);
        // The stop markers are the only pure red in the curve panel.
        var red = 0;
        for (var y = 0; y < 520; y++)
            for (var x = 0; x < image.Width; x++)
                if (image.GetPixel(x, y) is { Red: > 200, Green: < 60, Blue: < 60 })
                    red++;
        Assert.True(red > 20, $"{red} red pixels: no stop markers drawn");
        // Each parameter panel has dots of the configurations' colours.
        var coloured = 0;
        for (var y = 520; y < image.Height; y++)
            for (var x = 0; x < image.Width; x += 2)
                if (image.GetPixel(x, y) is var p && Math.Max(p.Red, Math.Max(p.Green, p.Blue)) - Math.Min(p.Red, Math.Min(p.Green, p.Blue)) > 80)
                    coloured++;
        Assert.True(coloured > 100, $"{coloured} coloured pixels in the parameter panels");
    }
}
