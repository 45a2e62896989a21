using static GanCluster.Cli.Tests.LocalClusterTests;

namespace GanCluster.Cli.Tests;

/// <summary>A job that cannot run ends its run Failed with the cause, and frees its worker for the next run (issue 13).</summary>
public sealed class JobFailureTests
{
    private const string Images = """
        name: bad-job
        steps: 5
        batch_size: 8
        threads: 1
        model: { name: mlp, hidden: 16 }
        dataset: { kind: idx, path: digits }
        report_every: 1
        health: { eval_every: 0 }
        """;

    [Fact]
    public void A_missing_dataset_a_folder_of_no_dataset_and_an_absent_device_each_fail_the_run_with_the_cause_and_free_the_worker()
    {
        var dir = CliProcess.NewDirectory();
        CliProcess.WriteDigits(dir, 64);
        var spec = CliProcess.WriteSpec(dir, Images);
        var cluster = Path.Combine(dir, "cluster");
        var up = CliProcess.Run(dir, "up", "--workers", "2", "--threads", "1", "--cluster", cluster);
        Assert.True(up.ExitCode == 0, up.ToString());
        try
        {
            foreach (var (setting, cause) in new[]
                     {
                         ("dataset.path=/nonexistent/digits", "/nonexistent/digits"),
                         ("dataset.path=/etc", "/etc"),
                         ("device=cuda:9", "cuda"),
                     })
            {
                var id = Json(CliProcess.Run(dir, "run", "submit", spec, "--set", setting, "--cluster", cluster, "--output", "json")).GetProperty("id").GetString()!;
                var clock = System.Diagnostics.Stopwatch.StartNew();
                WaitUntil(() => Json(CliProcess.Run(dir, "run", "show", id, "--cluster", cluster, "--output", "json")).GetProperty("state").GetString() == "RUN_STATE_FAILED",
                    $"the run with {setting} to fail", TimeSpan.FromSeconds(10));
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"{setting}: failed after {clock.Elapsed}");
                var shown = Json(CliProcess.Run(dir, "run", "show", id, "--cluster", cluster, "--output", "json"));
                Assert.Contains(cause, shown.GetProperty("error").GetString());
                var table = CliProcess.Run(dir, "run", "show", id, "--cluster", cluster);
                Assert.Contains(cause, table.Output);
                WaitUntil(() => Json(CliProcess.Run(dir, "workers", "list", "--cluster", cluster, "--output", "json")).GetProperty("workers").EnumerateArray().All(w => w.GetProperty("runId").GetString() == ""),
                    "the workers to be free again", TimeSpan.FromSeconds(10));
            }

            foreach (var worldSize in new[] { "0", "-2" })
            {
                var refused = CliProcess.Run(dir, "run", "submit", spec, "--world-size", worldSize, "--cluster", cluster);
                Assert.Equal(ExitCodes.UsageError, refused.ExitCode);
                Assert.Contains($"--world-size must be at least 1, found {worldSize}", refused.Output);
            }

            // A gang no registered workers could serve waits aside, saying why, and does not block the queue.
            var huge = Json(CliProcess.Run(dir, "run", "submit", spec, "--world-size", "64", "--set", "batch_size=64", "--priority", "9", "--cluster", cluster, "--output", "json")).GetProperty("id").GetString()!;
            WaitUntil(() => CliProcess.Run(dir, "run", "show", huge, "--cluster", cluster).Output.Contains("waiting: needs 64 workers, 2 registered", StringComparison.Ordinal),
                "the 64-rank run to say why it waits", TimeSpan.FromSeconds(10));

            // The workers stay healthy: the good spec completes on them, behind the waiting gang's priority.
            var good = CliProcess.Run(dir, "run", "submit", spec, "--watch", "--cluster", cluster);
            Assert.True(good.ExitCode == 0, good.ToString());
            Assert.Contains("Completed step 5/5", good.Output);
            Assert.Equal("RUN_STATE_PENDING", Json(CliProcess.Run(dir, "run", "show", huge, "--cluster", cluster, "--output", "json")).GetProperty("state").GetString());
        }
        finally
        {
            CliProcess.Run(dir, "down", "--cluster", cluster);
        }
    }
}
