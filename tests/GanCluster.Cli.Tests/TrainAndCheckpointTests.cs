using System.Text.Json;

namespace GanCluster.Cli.Tests;

public sealed class TrainAndCheckpointTests
{
    private static string WorkspaceWithDigits()
    {
        var dir = CliProcess.NewDirectory();
        CliProcess.WriteDigits(dir, 64);
        CliProcess.WriteSpec(dir, CliProcess.Dcgan28Yaml);
        return dir;
    }

    [Fact]
    public void Resume_in_a_new_process_equals_training_straight_through()
    {
        var dir = WorkspaceWithDigits();
        var straight = CliProcess.Run(dir, "train", "spec.yaml", "--out", "straight");
        Assert.True(straight.ExitCode == 0, straight.ToString());
        Assert.Contains("step 20/20", straight.Output);

        var half = CliProcess.Run(dir, "train", "spec.yaml", "--out", "split", "--steps", "10");
        Assert.True(half.ExitCode == 0, half.ToString());
        var resumed = CliProcess.Run(dir, "train", "spec.yaml", "--out", "split", "--resume", "split/checkpoints/step-00000010.gck");
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("resuming at step 10", resumed.Output);

        var diff = CliProcess.Run(dir, "checkpoint", "diff", "straight/checkpoints/step-00000020.gck", "split/checkpoints/step-00000020.gck", "--output", "json");
        Assert.True(diff.ExitCode == 0, diff.ToString());
        using var json = JsonDocument.Parse(diff.Output);
        Assert.True(json.RootElement.GetProperty("identical").GetBoolean());
        Assert.Equal(["g", "d", "ema"], json.RootElement.GetProperty("networks").EnumerateArray().Select(n => n.GetProperty("network").GetString()));
        Assert.All(json.RootElement.GetProperty("networks").EnumerateArray(), n => Assert.Equal(0, n.GetProperty("maxAbsolute").GetDouble()));

        // The same losses were reported for steps 15 and 20 by both processes.
        var straightMetrics = File.ReadAllLines(Path.Combine(dir, "straight", "metrics.jsonl"));
        var splitMetrics = File.ReadAllLines(Path.Combine(dir, "split", "metrics.jsonl"));
        string Losses(string line)
        {
            using var doc = JsonDocument.Parse(line);
            return $"{doc.RootElement.GetProperty("step")} {doc.RootElement.GetProperty("d_loss")} {doc.RootElement.GetProperty("g_loss")}";
        }
        Assert.Equal(straightMetrics.Select(Losses), splitMetrics.Select(Losses));
        Assert.True(File.Exists(Path.Combine(dir, "split", "samples", "step-00000020.png")));
    }

    [Fact]
    public void Diff_of_different_runs_exits_1_with_the_differences()
    {
        var dir = WorkspaceWithDigits();
        Assert.Equal(0, CliProcess.Run(dir, "train", "spec.yaml", "--out", "a", "--steps", "10").ExitCode);
        Assert.Equal(0, CliProcess.Run(dir, "train", "spec.yaml", "--out", "b", "--steps", "10", "--set", "seed=12").ExitCode);
        var diff = CliProcess.Run(dir, "checkpoint", "diff", "a/checkpoints/step-00000010.gck", "b/checkpoints/step-00000010.gck");
        Assert.Equal(1, diff.ExitCode);
        Assert.Contains("different", diff.Output);
        var json = CliProcess.Run(dir, "checkpoint", "diff", "a/checkpoints/step-00000010.gck", "b/checkpoints/step-00000010.gck", "--output", "json");
        using var doc = JsonDocument.Parse(json.Output);
        Assert.False(doc.RootElement.GetProperty("identical").GetBoolean());
        Assert.All(doc.RootElement.GetProperty("networks").EnumerateArray(), n => Assert.True(n.GetProperty("maxAbsolute").GetDouble() > 0));
    }

    [Fact]
    public void Inspect_prints_step_spec_checksum_and_tensor_sizes()
    {
        var dir = WorkspaceWithDigits();
        Assert.Equal(0, CliProcess.Run(dir, "train", "spec.yaml", "--out", "run", "--steps", "10").ExitCode);
        var table = CliProcess.Run(dir, "checkpoint", "inspect", "run/checkpoints/step-00000010.gck");
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("sha256", table.Output);
        Assert.Contains("g/_net.0.weight", table.Output);
        var json = CliProcess.Run(dir, "checkpoint", "inspect", "run/checkpoints/step-00000010.gck", "--output", "json");
        using var doc = JsonDocument.Parse(json.Output);
        Assert.Equal(10, doc.RootElement.GetProperty("step").GetInt64());
        Assert.Equal(64, doc.RootElement.GetProperty("sha256").GetString()!.Length);
        Assert.Contains("model:", doc.RootElement.GetProperty("spec").GetString());
        var g = doc.RootElement.GetProperty("networks").EnumerateArray().Single(n => n.GetProperty("network").GetString() == "g");
        Assert.True(g.GetProperty("elements").GetInt64() > 426_113, "G's parameters plus its BatchNorm buffers");
    }

    [Fact]
    public void Corrupted_checkpoint_is_refused_and_good_files_are_untouched()
    {
        var dir = WorkspaceWithDigits();
        Assert.Equal(0, CliProcess.Run(dir, "train", "spec.yaml", "--out", "run", "--steps", "10").ExitCode);
        var good = Path.Combine(dir, "run", "checkpoints", "step-00000010.gck");
        var before = File.ReadAllBytes(good);
        var corrupt = Path.Combine(dir, "corrupt.gck");
        var bytes = (byte[])before.Clone();
        bytes[^100] ^= 1;
        File.WriteAllBytes(corrupt, bytes);
        var result = CliProcess.Run(dir, "train", "spec.yaml", "--out", "run", "--resume", "corrupt.gck");
        Assert.Equal(4, result.ExitCode);
        Assert.Contains("corrupt.gck: checksum mismatch", result.Output);
        Assert.DoesNotContain("   at ", result.Output);
        Assert.Equal(before, File.ReadAllBytes(good));
        File.WriteAllBytes(corrupt, before[..(before.Length / 2)]);
        Assert.Equal(4, CliProcess.Run(dir, "checkpoint", "inspect", "corrupt.gck").ExitCode);
    }

    [Fact]
    public void User_mistakes_get_one_clear_line_and_a_meaningful_exit_code()
    {
        var dir = WorkspaceWithDigits();
        CliProcess.WriteSpec(dir, CliProcess.Dcgan28Yaml.Replace("batch_size: 8", "batch_size: eight"), "bad.yaml");
        var spec = CliProcess.Run(dir, "train", "bad.yaml");
        Assert.Equal(2, spec.ExitCode);
        Assert.Contains("bad.yaml:4: field 'batch_size': expected an integer, found 'eight'", spec.Output);
        Assert.DoesNotContain("   at ", spec.Output);

        var missingData = CliProcess.Run(dir, "train", "spec.yaml", "--set", "dataset.path=nowhere");
        Assert.Equal(3, missingData.ExitCode);
        Assert.Contains(Path.Combine(dir, "nowhere"), missingData.Output);

        var cuda = CliProcess.Run(dir, "train", "spec.yaml", "--device", "cuda:0");
        Assert.Equal(5, cuda.ExitCode);
        Assert.Contains("Device 'cuda:0' was requested, but CUDA is not available here", cuda.Output);

        Assert.Equal(2, CliProcess.Run(dir, "train").ExitCode);
        Assert.Equal(2, CliProcess.Run(dir, "train", "missing.yaml").ExitCode);
        Assert.Equal(4, CliProcess.Run(dir, "checkpoint", "inspect", "missing.gck").ExitCode);
    }
}
