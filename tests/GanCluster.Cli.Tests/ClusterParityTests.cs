using System.Text.Json;
using System.Text.Json.Nodes;
using GanCluster.Training.Checkpoints;
using static GanCluster.Cli.Tests.LocalClusterTests;

namespace GanCluster.Cli.Tests;

/// <summary>One rank host everywhere: a spec trained by `gancluster train` and as a cluster run gives the same health records and checkpoints.</summary>
public sealed class ClusterParityTests
{
    [Fact]
    public void A_spec_trained_alone_and_on_the_cluster_gives_identical_health_records_image_metrics_included_and_identical_checkpoints()
    {
        var dir = CliProcess.NewDirectory();
        CliProcess.WriteDigits(dir, 300);
        var spec = CliProcess.WriteSpec(dir, CliProcess.Dcgan28Yaml.Replace("report_every: 5", "report_every: 5\nhealth: { eval_every: 10, eval_samples: 50 }", StringComparison.Ordinal));
        var evaluator = CliProcess.Run(dir, "evaluator", "train", "--dataset", "mnist", "--path", "digits", "--epochs", "1", "--threads", "1");
        Assert.True(evaluator.ExitCode == 0, evaluator.ToString());

        var alone = CliProcess.Run(dir, "train", spec, "--out", "alone");
        Assert.True(alone.ExitCode == 0, alone.ToString());
        Assert.Contains("image metrics every 10 steps", alone.Output);

        var cluster = Path.Combine(dir, "cluster");
        var up = CliProcess.Run(dir, "up", "--workers", "1", "--threads", "1", "--cluster", cluster);
        Assert.True(up.ExitCode == 0, up.ToString());
        string id;
        try
        {
            var run = CliProcess.Run(dir, "run", "submit", spec, "--watch", "--cluster", cluster);
            Assert.True(run.ExitCode == 0, run.ToString());
            id = run.Output.Split('\n').First(l => l.StartsWith("submitted ", StringComparison.Ordinal)).Split(' ')[1];
            var shown = Json(CliProcess.Run(dir, "run", "show", id, "--cluster", cluster, "--output", "json"));
            // The typed record reached the CLI with the image metrics of the last evaluation.
            var images = shown.GetProperty("health").GetProperty("images");
            Assert.Equal("mnist-lenet", images.GetProperty("extractor").GetString());
            Assert.InRange(images.GetProperty("classifierScore").GetDouble(), 1, 10);
            // The verdict's dimensions and the run's best checkpoint travel through the API (issue 16).
            var dimensions = shown.GetProperty("health").GetProperty("dimensions");
            Assert.Contains(dimensions.GetProperty("summary").GetString(), new[] { "healthy", "degrading", "collapsing", "not-converging", "collapsed" });
            Assert.Equal("fd", dimensions.GetProperty("qualityMetric").GetString());
            var best = dimensions.GetProperty("bestCheckpoint").GetString()!;
            Assert.True(File.Exists(best), $"the best checkpoint {best} is not on disk");
            Assert.EndsWith($"step-{long.Parse(dimensions.GetProperty("bestQualityStep").GetString()!):D8}.gck", best);
            var text = CliProcess.Run(dir, "run", "show", id, "--cluster", cluster);
            Assert.Contains("best checkpoint: ", text.Output);
            Assert.Contains("health: ", text.Output);
        }
        finally
        {
            CliProcess.Run(dir, "down", "--cluster", cluster);
        }

        var local = HealthRecords(Path.Combine(dir, "alone", "metrics.jsonl"));
        var remote = HealthRecords(Path.Combine(cluster, "store", id, "metrics.jsonl"));
        Assert.Equal(4, local.Count);
        // Evaluated at steps 10 and 20; the report at 15 carries the step-10 evaluation.
        Assert.Equal([10, 15, 20], local.Where(r => r.ContainsKey("classifier_score")).Select(r => (int)r["step"]!));
        Assert.Equal(local.Select(r => r.ToJsonString()), remote.Select(r => r.ToJsonString()));

        var differences = CheckpointComparison.Compare(
            CheckpointFile.Read(Path.Combine(dir, "alone", "checkpoints", "step-00000020.gck")),
            CheckpointFile.Read(Path.Combine(cluster, "store", id, "checkpoints", "step-00000020.gck")));
        Assert.NotEmpty(differences);
        Assert.All(differences, d => Assert.True(d.BitwiseIdentical, $"{d.Network}: max |Δ| {d.MaxAbsolute}"));
    }

    /// <summary>Every field of every health record but the one that measures wall time.</summary>
    private static List<JsonObject> HealthRecords(string metricsFile) => File.ReadLines(metricsFile)
        .Select(line => JsonNode.Parse(line)!.AsObject())
        .Select(record =>
        {
            record.Remove("steps_per_second");
            return record;
        })
        .ToList();
}
