namespace GanCluster.Cli.Tests;

/// <summary>
/// Malformed sweep files at the CLI (issue 14): a generated set of broken files, each refused by `sweep validate`
/// and `sweep submit` with exit 2 and one error naming the file, the line and the field path. No stack traces.
/// </summary>
public sealed class SweepSpecCliTests
{
    private const string Valid = """
        name: broken-set
        base:
          name: toy
          steps: 100
          model: { name: toy }
          dataset: { kind: ring8 }
          health: { eval_every: 50 }
        space:
          optimizers.g.lr: { loguniform: [1.0e-4, 1.0e-3] }
          loss.r1_gamma: [0, 1]
        algorithm: { kind: asha, grace_steps: 50, eta: 2 }
        metric: { name: modes_covered, goal: max }
        max_trials: 4
        steps_per_trial: 100
        """;

    /// <summary>Each mutation of the valid file: the line replaced (by its start), its replacement, and the field path the error must name.</summary>
    public static TheoryData<string, string, string> Mutations => new()
    {
        { "max_trials:", "max_trials: -3", "max_trials" },
        { "max_trials:", "max_trails: 4", "max_trials" },
        { "  optimizers.g.lr:", "  optimizers.g.lr: { loguniform: [1.0e-3, 1.0e-4] }", "space.optimizers.g.lr.loguniform" },
        { "  optimizers.g.lr:", "  optimizers.g.lr: { loguniform: [0, 1.0e-3] }", "space.optimizers.g.lr.loguniform" },
        { "  optimizers.g.lr:", "  optimizers.g.lrate: [1, 2]", "space.optimizers.g.lrate" },
        { "  optimizers.g.lr:", "  optimizers.g.lr: { normal: [0, 1] }", "space.optimizers.g.lr.normal" },
        { "algorithm:", "algorithm: { kind: hyperband }", "algorithm.kind" },
        { "algorithm:", "algorithm: { kind: asha, grace_steps: 50, eta: 1 }", "algorithm.eta" },
        { "algorithm:", "algorithm: { kind: pbt, interval_steps: 500, population: 4 }", "algorithm.interval_steps" },
        { "metric:", "metric: { name: sharpness, goal: max }", "metric.name" },
        { "metric:", "metric: { name: modes_covered, goal: up }", "metric.goal" },
        { "steps_per_trial:", "steps_per_trial: 0", "steps_per_trial" },
        { "  steps: 100", "  steps: lots", "base.steps" },
        { "name:", "name: Broken Set!", "name" },
    };

    [Theory]
    [MemberData(nameof(Mutations))]
    public void A_broken_sweep_file_is_refused_with_its_field_path_and_exit_2(string line, string replacement, string field)
    {
        var dir = CliProcess.NewDirectory();
        var lines = Valid.Split('\n').ToList();
        var index = lines.FindIndex(l => l.StartsWith(line, StringComparison.Ordinal));
        Assert.True(index >= 0, $"no line starts with '{line}'");
        lines[index] = replacement;
        var file = CliProcess.WriteSpec(dir, string.Join('\n', lines), "broken.yaml");
        foreach (var verb in new[] { "validate", "submit" })
        {
            // submit checks the file before it looks for a cluster: none is running here.
            var result = verb == "submit" ? CliProcess.Run(dir, "sweep", verb, file, "--cluster", Path.Combine(dir, "no-cluster")) : CliProcess.Run(dir, "sweep", verb, file);
            Assert.True(result.ExitCode == 2, $"{verb}: {result}");
            Assert.Contains("broken.yaml", result.Output);
            Assert.Contains($"field '{field}'", result.Output);
            Assert.DoesNotContain("   at ", result.Output);
            Assert.StartsWith("error (invalid spec): ", result.Output);
        }
    }

    [Fact]
    public void A_missing_or_unreadable_sweep_file_is_a_one_line_error()
    {
        var dir = CliProcess.NewDirectory();
        var missing = CliProcess.Run(dir, "sweep", "validate", Path.Combine(dir, "nothing.yaml"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("nothing.yaml", missing.Output);
        var notYaml = CliProcess.Run(dir, "sweep", "validate", CliProcess.WriteSpec(dir, "name: [unclosed", "garbled.yaml"));
        Assert.Equal(2, notYaml.ExitCode);
        Assert.Contains("garbled.yaml", notYaml.Output);
        Assert.DoesNotContain("   at ", missing.Output + notYaml.Output);
    }
}
