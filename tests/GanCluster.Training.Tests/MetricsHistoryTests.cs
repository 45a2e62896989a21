using GanCluster.Training.Runtime;

namespace GanCluster.Training.Tests;

/// <summary>metrics.jsonl read back for plots: rank 0's records, one per step, evaluated metrics at evaluation steps only.</summary>
public sealed class MetricsHistoryTests
{
    private static RunDirectory Write(string spec, params string[] lines)
    {
        var dir = Path.Combine(Path.GetTempPath(), "gancluster-tests", $"history-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        var run = new RunDirectory(dir);
        File.WriteAllLines(run.MetricsFile, lines);
        if (spec.Length > 0)
            File.WriteAllText(run.SpecFile, spec);
        return run;
    }

    private const string Spec = """
        name: h
        steps: 250
        batch_size: 8
        model: { name: toy }
        dataset: { kind: ring8 }
        health: { eval_every: 100 }
        """;

    [Fact]
    public void A_curve_keeps_rank_0_the_last_record_of_a_step_and_skips_torn_lines()
    {
        var run = Write(Spec,
            """{"rank":0,"step":50,"d_loss":1.0}""",
            """{"rank":1,"step":50,"d_loss":9.0}""",
            """{"rank":0,"step":100,"d_loss":2.0}""",
            """{"rank":0,"step":100,"d_loss":3.0}""",   // rewritten by a resumed attempt
            """{"rank":0,"step":15""",                   // torn by a crash
            """{"rank":0,"step":150,"d_loss":null}""");
        var history = MetricsHistory.Read(run);
        Assert.Equal([new MetricPoint(50, 1.0), new MetricPoint(100, 3.0)], history.Curve("d_loss"));
        Assert.Equal(["d_loss"], history.Metrics());
    }

    [Fact]
    public void An_evaluated_metric_is_taken_at_the_evaluation_steps_only_and_fd_finds_the_extractors_distance()
    {
        // Every record after an evaluation repeats its numbers; the last step is evaluated too.
        string[] lines =
        [
            """{"rank":0,"step":50,"d_loss":1.0}""",
            """{"rank":0,"step":100,"d_loss":1.0,"fd_x-lenet":30.0,"fd_constant_baseline":60.0}""",
            """{"rank":0,"step":150,"d_loss":1.0,"fd_x-lenet":30.0,"fd_constant_baseline":60.0}""",
            """{"rank":0,"step":200,"d_loss":1.0,"fd_x-lenet":20.0,"fd_constant_baseline":60.0}""",
            """{"rank":0,"step":250,"d_loss":1.0,"fd_x-lenet":25.0,"fd_constant_baseline":60.0,"quality_metric":"fd","best_quality":20.0}""",
        ];
        var history = MetricsHistory.Read(Write(Spec, lines));
        Assert.Equal([new MetricPoint(100, 30.0), new MetricPoint(200, 20.0), new MetricPoint(250, 25.0)], history.Curve("fd"));
        Assert.Equal(history.Curve("fd"), history.Curve("fd_x-lenet"));
        Assert.Equal("fd", history.Latest("quality_metric"));
        Assert.Equal(20.0, history.LatestNumber("best_quality"));

        // Without a spec there is no way to tell a fresh evaluation from a repeat: every record's value is kept.
        Assert.Equal(4, MetricsHistory.Read(Write("", lines)).Curve("fd").Count);
    }

    [Fact]
    public void A_folder_without_metrics_is_refused_by_name()
    {
        var dir = Path.Combine(Path.GetTempPath(), "gancluster-tests", $"history-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        var error = Assert.Throws<FileNotFoundException>(() => MetricsHistory.Read(new RunDirectory(dir)));
        Assert.Contains(dir, error.Message);
    }
}
