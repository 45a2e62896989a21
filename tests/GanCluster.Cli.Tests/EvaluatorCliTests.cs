using System.Text.Json;

namespace GanCluster.Cli.Tests;

public sealed class EvaluatorCliTests
{
    [Fact]
    public void An_image_checkpoint_is_evaluated_in_its_evaluators_feature_space()
    {
        var dir = CliProcess.NewDirectory();
        CliProcess.WriteDigits(dir, 300);
        CliProcess.WriteSpec(dir, CliProcess.Dcgan28Yaml);
        Assert.Equal(0, CliProcess.Run(dir, "train", "spec.yaml", "--out", "run").ExitCode);
        var checkpoint = Path.Combine(dir, "run", "checkpoints", "step-00000020.gck");
        // Trained before any evaluator exists: nothing measured its coverage, and the verdict says so rather than "healthy".
        var unevaluated = JsonDocument.Parse(File.ReadLines(Path.Combine(dir, "run", "metrics.jsonl")).Last()).RootElement;
        Assert.Equal("unmeasured", unevaluated.GetProperty("modes_health").GetString());
        Assert.Contains(unevaluated.GetProperty("verdict").GetString(), new[] { "unmeasured", "collapsing", "collapsed" });

        // Without an evaluator the command says how to get one, and fails as a data problem.
        var missing = CliProcess.Run(dir, "evaluate", checkpoint);
        Assert.Equal(3, missing.ExitCode);
        Assert.Contains("gancluster evaluator train --dataset mnist", missing.Output);

        var trained = CliProcess.Run(dir, "evaluator", "train", "--dataset", "mnist", "--path", "digits", "--epochs", "1", "--threads", "1");
        Assert.True(trained.ExitCode == 0, trained.ToString());
        Assert.Contains("test accuracy", trained.Output);
        Assert.True(File.Exists(Path.Combine(dir, "cache", "evaluators", "mnist.evaluator")));
        var listed = CliProcess.Run(dir, "evaluator", "list", "--output", "json");
        Assert.Equal(0, listed.ExitCode);
        Assert.Equal("mnist-lenet", JsonDocument.Parse(listed.Output).RootElement[0].GetProperty("Info").GetProperty("Extractor").GetString());

        var result = CliProcess.Run(dir, "evaluate", checkpoint, "--samples", "200", "--output", "json");
        Assert.True(result.ExitCode == 0, result.ToString());
        var metrics = JsonDocument.Parse(result.Output).RootElement;
        Assert.Equal("mnist-lenet", metrics.GetProperty("extractor").GetString());
        Assert.Equal(10, metrics.GetProperty("classes").GetInt32());
        Assert.InRange(metrics.GetProperty("classes_covered").GetInt32(), 0, 10);
        Assert.InRange(metrics.GetProperty("classifier_score").GetDouble(), 1, 10);
        Assert.True(metrics.GetProperty("fd_mnist-lenet").GetDouble() >= 0);
        foreach (var key in new[] { "precision", "recall", "density", "coverage" })
            Assert.True(metrics.GetProperty(key).GetDouble() >= 0, key);
        Assert.Equal(5, metrics.GetProperty("nearest_k").GetInt32());

        // With the evaluator cached, training evaluates periodically and records the metrics and the verdict.
        var periodic = CliProcess.Run(dir, "train", "spec.yaml", "--out", "run2", "--set", "health.eval_every=10", "--set", "health.eval_samples=50");
        Assert.True(periodic.ExitCode == 0, periodic.ToString());
        Assert.Contains("image metrics every 10 steps", periodic.Output);
        var last = JsonDocument.Parse(File.ReadLines(Path.Combine(dir, "run2", "metrics.jsonl")).Last()).RootElement;
        Assert.Equal(20, last.GetProperty("step").GetInt32());
        Assert.InRange(last.GetProperty("classifier_score").GetDouble(), 1, 10);
        Assert.True(last.TryGetProperty("fd_mnist-lenet", out _));
        Assert.Contains(last.GetProperty("verdict").GetString(), new[] { "healthy", "degrading", "collapsing", "not-converging", "collapsed" });
        Assert.NotEqual("unmeasured", last.GetProperty("modes_health").GetString());
        Assert.Contains(last.GetProperty("quality_trend").GetString(), new[] { "improving", "stalled", "degrading" });
        Assert.Equal("fd", last.GetProperty("quality_metric").GetString());

        // The run kept its best checkpoint by the Fréchet distance, which --best finds and checkpoint inspect names.
        var best = last.GetProperty("best_checkpoint").GetString()!;
        var bestStep = last.GetProperty("best_quality_step").GetInt64();
        Assert.Equal($"step-{bestStep:D8}.gck", best);
        var fromBest = CliProcess.Run(dir, "evaluate", "run2", "--best", "--samples", "100", "--output", "json");
        Assert.True(fromBest.ExitCode == 0, fromBest.ToString());
        Assert.Equal(bestStep, JsonDocument.Parse(fromBest.Output).RootElement.GetProperty("step").GetInt64());
        var inspected = CliProcess.Run(dir, "checkpoint", "inspect", Path.Combine(dir, "run2", "checkpoints", "step-00000020.gck"), "--output", "json");
        Assert.True(inspected.ExitCode == 0, inspected.ToString());
        Assert.Equal(bestStep, JsonDocument.Parse(inspected.Output).RootElement.GetProperty("runBest").GetProperty("step").GetInt64());
        // A run folder without a kept best is refused with what is missing, not a stack trace.
        var none = CliProcess.Run(dir, "samples", "run", "--best", "--out", "x.png");
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("keeps no best checkpoint", none.Output);
    }

    [Fact]
    public void A_damaged_evaluator_file_is_reported_not_used()
    {
        var dir = CliProcess.NewDirectory();
        CliProcess.WriteDigits(dir, 100);
        Assert.Equal(0, CliProcess.Run(dir, "evaluator", "train", "--dataset", "mnist", "--path", "digits", "--epochs", "1", "--threads", "1").ExitCode);
        var file = Path.Combine(dir, "cache", "evaluators", "mnist.evaluator");
        var bytes = File.ReadAllBytes(file);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(file, bytes);
        var listed = CliProcess.Run(dir, "evaluator", "list");
        Assert.Equal(0, listed.ExitCode);
        Assert.Contains("damaged", listed.Output);
    }

    [Fact]
    public void An_unknown_evaluator_dataset_is_refused_with_the_known_ones()
    {
        var dir = CliProcess.NewDirectory();
        var result = CliProcess.Run(dir, "evaluator", "train", "--dataset", "cifar", "--path", ".");
        Assert.Equal(3, result.ExitCode);
        Assert.Contains("known: mnist, fashion-mnist, faces", result.Output);
    }
}
