using System.Globalization;
using System.Text.Json;

namespace GanCluster.Cli.Tests;

public sealed class SamplesAndEvaluateTests
{
    private static (string Dir, string Checkpoint) TrainedToy()
    {
        var dir = CliProcess.NewDirectory();
        CliProcess.WriteSpec(dir, """
            name: toy
            seed: 2
            steps: 30
            batch_size: 64
            threads: 1
            model: { name: toy, latent_dim: 4, hidden: 32, layers: 2 }
            dataset: { kind: ring8 }
            ema: { decay: 0.9 }
            report_every: 10
            checkpoint_every: 30
            """);
        var result = CliProcess.Run(dir, "train", "spec.yaml", "--out", "run");
        Assert.True(result.ExitCode == 0, result.ToString());
        return (dir, Path.Combine(dir, "run", "checkpoints", "step-00000030.gck"));
    }

    /// <summary>Trains <paramref name="steps"/> steps on generated digits with the given model line; returns the final checkpoint.</summary>
    private static (string Dir, string Checkpoint) TrainedOnDigits(int digits, int steps, int batch, string model, string extra = "")
    {
        var dir = CliProcess.NewDirectory();
        CliProcess.WriteDigits(dir, digits);
        CliProcess.WriteSpec(dir, $"name: d\nsteps: {steps}\nbatch_size: {batch}\nthreads: 1\nmodel: {model}\ndataset: {{ kind: idx, path: digits }}\n{extra}checkpoint_every: {steps}\n");
        Assert.Equal(0, CliProcess.Run(dir, "train", "spec.yaml", "--out", "run").ExitCode);
        return (dir, Path.Combine(dir, "run", "checkpoints", $"step-{steps:D8}.gck"));
    }

    /// <summary>Runs <c>samples</c> into <paramref name="name"/> and returns the file's bytes.</summary>
    private static byte[] ReadSamples(string dir, string checkpoint, int count, string name, params string[] options)
    {
        var result = CliProcess.Run(dir, ["samples", checkpoint, "--count", count.ToString(CultureInfo.InvariantCulture), "--out", name, .. options]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return File.ReadAllBytes(Path.Combine(dir, name));
    }

    [Fact]
    public void Samples_of_a_2d_mixture_are_written_as_csv_from_the_ema_generator()
    {
        var (dir, checkpoint) = TrainedToy();
        var result = CliProcess.Run(dir, "samples", checkpoint, "--count", "300", "--out", "points.csv");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("EMA generator", result.Output);
        var lines = File.ReadAllLines(Path.Combine(dir, "points.csv"));
        Assert.Equal("x,y", lines[0]);
        Assert.Equal(300, lines.Length - 1);
        Assert.All(lines.Skip(1), l => Assert.All(l.Split(','), v => Assert.True(float.IsFinite(float.Parse(v, CultureInfo.InvariantCulture)))));
        // Deterministic: the same checkpoint gives the same samples.
        Assert.Equal(0, CliProcess.Run(dir, "samples", checkpoint, "--count", "300", "--out", "again.csv").ExitCode);
        Assert.Equal(lines, File.ReadAllLines(Path.Combine(dir, "again.csv")));
        var wrong = CliProcess.Run(dir, "samples", checkpoint, "--out", "points.png");
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("2D samples are written as .csv or .npy", wrong.Output);
    }

    [Fact]
    public void Evaluate_reports_the_mixture_metrics_as_json()
    {
        var (dir, checkpoint) = TrainedToy();
        var result = CliProcess.Run(dir, "evaluate", checkpoint, "--samples", "1000", "--output", "json");
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Output);
        var root = json.RootElement;
        Assert.Equal(30, root.GetProperty("step").GetInt64());
        Assert.Equal("ema", root.GetProperty("generator").GetString());
        Assert.Equal(8, root.GetProperty("modes").GetInt32());
        var histogram = root.GetProperty("mode_histogram").EnumerateArray().Select(e => e.GetInt32()).ToList();
        Assert.Equal(8, histogram.Count);
        Assert.Equal(root.GetProperty("modes_covered").GetInt32(), histogram.Count(c => c > 0));
        Assert.Equal(root.GetProperty("high_quality_fraction").GetDouble(), histogram.Sum() / 1000.0, 9);
    }

    [Fact]
    public void Samples_of_a_class_conditional_checkpoint_can_be_one_class_and_a_bad_class_is_a_usage_error()
    {
        var (dir, checkpoint) = TrainedOnDigits(64, 4, 16, "{ name: mlp, classes: 10 }");
        var three = ReadSamples(dir, checkpoint, 10, "three.npy", "--class", "3");
        Assert.Equal(three, ReadSamples(dir, checkpoint, 10, "three-again.npy", "--class", "3"));
        Assert.NotEqual(three, ReadSamples(dir, checkpoint, 10, "four.npy", "--class", "4"));
        Assert.NotEqual(three, ReadSamples(dir, checkpoint, 10, "cycled.npy"));
        var outOfRange = CliProcess.Run(dir, "samples", checkpoint, "--count", "10", "--out", "x.npy", "--class", "10");
        Assert.Equal(2, outOfRange.ExitCode);
        Assert.Contains("classes 0 to 9", outOfRange.Output);
    }

    [Fact]
    public void Samples_can_come_from_the_live_generator_and_with_standing_batchnorm_statistics()
    {
        var (dir, checkpoint) = TrainedOnDigits(64, 4, 16, "{ name: dcgan28 }", "ema: { decay: 0.5 }\n");
        byte[] Samples(string name, params string[] options) => ReadSamples(dir, checkpoint, 8, name, options);
        var ema = Samples("ema.npy");
        var live = Samples("g.npy", "--generator", "g");
        var standing = Samples("standing.npy", "--norm-statistics", "standing");
        Assert.NotEqual(ema, live);
        Assert.NotEqual(ema, standing); // the EMA weights' own statistics differ from the stored running averages
        Assert.Equal(standing, Samples("standing-again.npy", "--norm-statistics", "standing")); // seeded, so reproducible
        var wrong = CliProcess.Run(dir, "samples", checkpoint, "--out", "x.npy", "--generator", "best");
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("best", wrong.Output);
    }

    [Fact]
    public void Image_samples_are_written_as_npy_with_their_shape()
    {
        var (dir, checkpoint) = TrainedOnDigits(32, 2, 8, "{ name: mlp }");
        Assert.Equal(0, CliProcess.Run(dir, "samples", checkpoint, "--count", "10", "--out", "s.npy").ExitCode);
        var npy = File.ReadAllBytes(Path.Combine(dir, "s.npy"));
        Assert.Equal("\u0093NUMPY", System.Text.Encoding.Latin1.GetString(npy, 0, 6));
        var headerLength = BitConverter.ToUInt16(npy, 8);
        var header = System.Text.Encoding.ASCII.GetString(npy, 10, headerLength);
        Assert.Contains("'shape': (10, 1, 28, 28)", header);
        Assert.Equal(0, (10 + headerLength) % 64);
        Assert.Equal(10 + headerLength + 10 * 784 * 4, npy.Length);
        Assert.Equal(0, CliProcess.Run(dir, "samples", checkpoint, "--count", "16", "--out", "grid.png").ExitCode);
        Assert.True(new FileInfo(Path.Combine(dir, "grid.png")).Length > 100);
    }
}
