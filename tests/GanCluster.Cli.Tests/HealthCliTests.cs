using System.Text.Json;

namespace GanCluster.Cli.Tests;

public sealed class HealthCliTests
{
    private const string Ring8 = """
        name: health
        seed: 5
        steps: 200
        batch_size: 64
        threads: 1
        model: { name: toy, latent_dim: 4, hidden: 32, layers: 2 }
        dataset: { kind: ring8 }
        report_every: 10
        checkpoint_every: 50
        health: { eval_every: 50, eval_samples: 1000, window: 8 }
        """;

    [Fact]
    public void A_diverging_run_exits_6_naming_the_step_and_writes_no_bad_checkpoint()
    {
        var dir = CliProcess.NewDirectory();
        CliProcess.WriteSpec(dir, Ring8);
        var result = CliProcess.Run(dir, "train", "spec.yaml", "--out", "run",
            "--set", "optimizers.d.kind=sgd", "--set", "optimizers.d.lr=10", "--set", "optimizers.g.kind=sgd", "--set", "optimizers.g.lr=10");
        Assert.True(result.ExitCode == 6, result.ToString());
        Assert.Contains("training diverged at step", result.Output);
        Assert.DoesNotContain("   at ", result.Output);
        var last = File.ReadAllLines(Path.Combine(dir, "run", "metrics.jsonl")).Last();
        using var json = JsonDocument.Parse(last);
        Assert.True(json.RootElement.GetProperty("diverged").GetBoolean());
        Assert.False(Directory.Exists(Path.Combine(dir, "run", "checkpoints")) && Directory.GetFiles(Path.Combine(dir, "run", "checkpoints")).Length > 0
            && json.RootElement.GetProperty("step").GetInt64() <= 50, "no checkpoint may be written at or after the diverged step");
    }

    [Fact]
    public void Health_records_are_written_per_report_with_mixture_quality()
    {
        var dir = CliProcess.NewDirectory();
        CliProcess.WriteSpec(dir, Ring8);
        var result = CliProcess.Run(dir, "train", "spec.yaml", "--out", "run");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("modes ", result.Output);
        var lines = File.ReadAllLines(Path.Combine(dir, "run", "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(20, lines.Count);
        Assert.All(lines, l => Assert.True(l.GetProperty("d_grad_norm").GetDouble() > 0));
        Assert.All(lines, l => Assert.InRange(l.GetProperty("diversity_ratio").GetDouble(), 0.0, 10.0));
        var last = lines.Last();
        Assert.Equal(8, last.GetProperty("modes").GetInt32());
        Assert.InRange(last.GetProperty("modes_covered").GetInt32(), 0, 8);
        Assert.InRange(last.GetProperty("high_quality_fraction").GetDouble(), 0.0, 1.0);
        Assert.True(last.GetProperty("g_loss_cv").GetDouble() >= 0);
    }
}
