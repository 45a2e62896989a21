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
    public void Evaluations_happen_every_eval_every_steps_even_between_reports()
    {
        var dir = CliProcess.NewDirectory();
        CliProcess.WriteSpec(dir, Ring8.Replace("steps: 200", "steps: 60").Replace("report_every: 10", "report_every: 20").Replace("eval_every: 50", "eval_every: 15"));
        var result = CliProcess.Run(dir, "train", "spec.yaml", "--out", "run");
        Assert.True(result.ExitCode == 0, result.ToString());
        var records = File.ReadAllLines(Path.Combine(dir, "run", "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        // Reports at 20, 40, 60, a checkpoint at 50, and evaluations at 15, 30, 45, 60: one record for each of those steps.
        Assert.Equal([15L, 20, 30, 40, 45, 50, 60], records.Select(r => r.GetProperty("step").GetInt64()));
        Assert.All(records.Where(r => r.GetProperty("step").GetInt64() % 15 == 0), r => Assert.True(r.TryGetProperty("modes_covered", out _)));
    }

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

public sealed class TerminationTests
{
    [Fact]
    public async Task Sigterm_checkpoints_the_current_step_and_exits_130()
    {
        var dir = CliProcess.NewDirectory();
        CliProcess.WriteSpec(dir, "name: t\nsteps: 10000000\nbatch_size: 32\nthreads: 1\nmodel: { name: toy, hidden: 16, layers: 2 }\ndataset: { kind: ring8 }\nreport_every: 100\n");
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { WorkingDirectory = dir, RedirectStandardOutput = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "gancluster.dll"), "train", "spec.yaml", "--out", "run" })
            start.ArgumentList.Add(a);
        using var process = System.Diagnostics.Process.Start(start)!;
        var lines = new List<string>();
        // Wait on the condition (a first report), not on time.
        while (await process.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken) is { } line)
        {
            lines.Add(line);
            if (line.StartsWith("step ", StringComparison.Ordinal))
                break;
        }
        Assert.Equal(0, kill(process.Id, 15));
        var rest = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 130, string.Join("\n", lines) + rest);
        Assert.Contains("cancelled at step", rest);
        var checkpoint = Assert.Single(Directory.GetFiles(Path.Combine(dir, "run", "checkpoints")));
        Assert.True(new FileInfo(checkpoint).Length > 1000);
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
