using GanCluster.Specs.Sweeps;

namespace GanCluster.Specs.Tests;

public sealed class SweepSpecTests
{
    /// <summary>A valid sweep whose lines the broken cases below edit one at a time; line numbers are 1-based.</summary>
    private static readonly string[] Valid =
    [
        "name: t",                                               // 1
        "base:",                                                 // 2
        "  steps: 100",                                          // 3
        "  batch_size: 12",                                      // 4
        "  model: { name: toy }",                                // 5
        "  dataset: { kind: ring8 }",                            // 6
        "  health: { eval_every: 10 }",                          // 7
        "space:",                                                // 8
        "  optimizers.g.lr: { loguniform: [1.0e-4, 1.0e-3] }",   // 9
        "  d_steps: [1, 2]",                                     // 10
        "algorithm: { kind: random }",                           // 11
        "metric: { name: modes_covered, goal: max }",            // 12
        "max_trials: 8",                                         // 13
    ];

    private static string Text(IEnumerable<string> lines) => string.Join('\n', lines) + "\n";

    private static string Edit(int line, string text) => Text(Valid.Select((l, i) => i == line - 1 ? text : l));

    private static string Drop(params int[] lines) => Text(Valid.Where((_, i) => !lines.Contains(i + 1)));

    /// <summary>Adds lines after the last (the first of them is line 14).</summary>
    private static string Append(params string[] lines) => Text(Valid.Concat(lines));

    private static string ExamplesFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "examples")) && File.Exists(Path.Combine(dir.FullName, "GanCluster.sln")))
                return Path.Combine(dir.FullName, "examples");
        throw new InvalidOperationException("examples/ not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void The_template_of_the_broken_cases_is_valid()
    {
        var sweep = SweepSpecLoader.LoadText(Text(Valid), "t.yaml");
        Assert.Equal(2, sweep.Parameters.Count);
        Assert.IsType<RandomSearch>(sweep.Algorithm);
    }

    [Fact]
    public void A_full_spec_round_trips_every_field()
    {
        const string yaml = """
            name: full-1
            base:
              name: b
              seed: 5
              steps: 3000
              batch_size: 64
              model: { name: toy, hidden: 128 }
              dataset: { kind: grid25 }
              health: { eval_every: 100 }
            set:
              report_every: 20
            space:
              optimizers.g.lr: { loguniform: [1.0e-4, 1.0e-3], q: 1.0e-5 }
              optimizers.d.lr: [1.0e-4, 2.0e-4]
              loss.r1_gamma: { uniform: [0, 10], q: 0.5 }
              loss.kind: { choice: [hinge, non-saturating] }
              model.hidden: { int: [64, 256], q: 32 }
            seeds: [1, 7, 42]
            algorithm: { kind: asha, grace_steps: 500, eta: 4, mean_of_last: 3, sampler: { kind: tpe, startup_trials: 6, candidates: 12 } }
            metric: { name: reverse_kl, goal: min }
            max_trials: 64
            max_concurrent_trials: 4
            steps_per_trial: 2000
            world_size: 4
            priority: -3
            seed: 99
            on_collapse: continue
            on_diverge: stop
            keep_best: 2
            disk_quota_mb: 2048
            """;
        var s = SweepSpecLoader.LoadText(yaml, "full.yaml");
        Assert.Equal("full-1", s.Name);
        Assert.Null(s.BaseSpecFile);
        Assert.Equal((5L, 3000, 64, 20), (s.BaseSpec.Seed, s.BaseSpec.Steps, s.BaseSpec.BatchSize, s.BaseSpec.ReportEvery));
        Assert.Contains("report_every: 20", s.BaseSpecYaml);
        Assert.Equal(3000, RunSpecLoader.LoadText(s.BaseSpecYaml).Spec.Steps);
        Assert.Equal(new[] { "optimizers.g.lr", "optimizers.d.lr", "loss.r1_gamma", "loss.kind", "model.hidden" }, s.Parameters.Select(p => p.Path));
        Assert.Equal(new LogUniformDomain(1e-4, 1e-3, 1e-5), s.Parameters[0].Domain);
        Assert.Equal(new[] { "1.0e-4", "2.0e-4" }, Assert.IsType<GridDomain>(s.Parameters[1].Domain).Values);
        Assert.Equal(new UniformDomain(0, 10, 0.5), s.Parameters[2].Domain);
        Assert.Equal(new[] { "hinge", "non-saturating" }, Assert.IsType<ChoiceDomain>(s.Parameters[3].Domain).Values);
        Assert.Equal(new IntDomain(64, 256, 32), s.Parameters[4].Domain);
        Assert.Equal(new[] { 1L, 7, 42 }, s.Seeds);
        var asha = Assert.IsType<AshaSearch>(s.Algorithm);
        Assert.Equal((500L, 4.0, (int?)3), (asha.GraceSteps, asha.Eta, asha.MeanOfLast));
        Assert.Equal(new TpeSearch(6, 12), asha.Sampler);
        Assert.Equal(new SweepMetric("reverse_kl", MetricGoal.Min), s.Metric);
        Assert.Equal((64, 4, 2000L, 4, -3, 99L), (s.MaxTrials, s.MaxConcurrentTrials, s.StepsPerTrial, s.WorldSize, s.Priority, s.Seed));
        Assert.Equal((TrialPolicy.Continue, TrialPolicy.Stop, 2), (s.OnCollapse, s.OnDiverge, s.KeepBest));
        Assert.Equal(2048L << 20, s.DiskQuotaBytes);
    }

    [Fact]
    public void Defaults_are_a_grid_of_the_whole_space_with_the_base_seed()
    {
        var s = SweepSpecLoader.LoadText(Drop(9, 11, 13).Replace("d_steps: [1, 2]", "d_steps: [1, 2, 3]"), "d.yaml");
        Assert.IsType<GridSearch>(s.Algorithm);
        Assert.Equal(new[] { 0L }, s.Seeds); // the base spec's seed, which defaults to 0
        Assert.Equal(3, s.MaxTrials);
        Assert.Equal((1, 1, 100L, 1, 0, 0L), (s.MaxConcurrentTrials, s.WorldSize, s.StepsPerTrial, s.KeepBest, s.Priority, s.Seed));
        Assert.Equal((TrialPolicy.Stop, TrialPolicy.Stop, (long?)null), (s.OnCollapse, s.OnDiverge, s.DiskQuotaBytes));
        Assert.Equal(new[] { 0L, 1, 2 }, SweepSpecLoader.LoadText(Drop(9, 11, 13) + "seeds: 3\n").Seeds);
    }

    [Fact]
    public void A_base_file_is_read_relative_to_the_sweep_file()
    {
        var dir = Directory.CreateTempSubdirectory("sweepspec-");
        try
        {
            Directory.CreateDirectory(Path.Combine(dir.FullName, "sweeps"));
            File.WriteAllText(Path.Combine(dir.FullName, "toy.yaml"), "# the base\nseed: 3\nsteps: 100\nbatch_size: 12\nmodel: { name: toy }\ndataset: { kind: ring8 }\nhealth: { eval_every: 10 }\n");
            var sweepFile = Path.Combine(dir.FullName, "sweeps", "s.yaml");
            File.WriteAllText(sweepFile, Edit(2, "base: ../toy.yaml").Replace("  steps: 100\n  batch_size: 12\n  model: { name: toy }\n  dataset: { kind: ring8 }\n  health: { eval_every: 10 }\n", ""));
            var s = SweepSpecLoader.LoadFile(sweepFile);
            Assert.Equal(Path.Combine(dir.FullName, "toy.yaml"), s.BaseSpecFile);
            Assert.StartsWith("# the base", s.BaseSpecYaml);
            Assert.Equal(new[] { 3L }, s.Seeds);

            // An error in the base file names the base file and its line, as a run spec's would.
            File.WriteAllText(Path.Combine(dir.FullName, "toy.yaml"), "steps: 100\nmodel: { name: toy, hiden: 2 }\ndataset: { kind: ring8 }\n");
            var e = Assert.Throws<SpecException>(() => SweepSpecLoader.LoadFile(sweepFile));
            Assert.Equal((Path.Combine(dir.FullName, "toy.yaml"), "model.hiden", (int?)2), (e.File, e.FieldPath, e.Line));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void An_inline_base_is_blamed_on_the_sweep_files_lines()
    {
        var e = Assert.Throws<SpecException>(() => SweepSpecLoader.LoadText(Edit(5, "  model: { name: toy, hiden: 2 }"), "s.yaml"));
        Assert.Equal(("s.yaml", "base.model.hiden", (int?)5), (e.File, e.FieldPath, e.Line));
        Assert.StartsWith("s.yaml:5: field 'base.model.hiden': ", e.Message);
    }

    [Theory]
    [InlineData("grid25-asha.yaml", "grid25", typeof(AshaSearch))]
    [InlineData("ring8-random.yaml", "ring8", typeof(RandomSearch))]
    [InlineData("mnist-pbt.yaml", "idx", typeof(PbtSearch))]
    [InlineData("faces-seeds.yaml", "images", typeof(GridSearch))]
    [InlineData("demo-asha.yaml", "ring8", typeof(AshaSearch))]
    public void Every_example_sweep_is_valid(string file, string dataset, Type algorithm)
    {
        var s = SweepSpecLoader.LoadFile(Path.Combine(ExamplesFolder(), "sweeps", file));
        Assert.Equal(Path.GetFileNameWithoutExtension(file), s.Name);
        Assert.Equal(dataset, SpecName.Of(s.BaseSpec.Dataset.Kind));
        Assert.IsType(algorithm, s.Algorithm);
        Assert.NotNull(s.BaseSpecFile);
        Assert.True(s.MaxTrials <= 32, "example budgets stay modest");
    }

    [Fact]
    public void The_readme_sweep_is_valid()
    {
        var readme = File.ReadAllText(Path.Combine(ExamplesFolder(), "..", "README.md"));
        var section = readme[readme.IndexOf("### Sweeps", StringComparison.Ordinal)..];
        var start = section.IndexOf("```yaml\n", StringComparison.Ordinal) + "```yaml\n".Length;
        var yaml = section[start..section.IndexOf("```", start, StringComparison.Ordinal)];
        var s = SweepSpecLoader.LoadText(yaml, "README.md", Path.Combine(ExamplesFolder(), "sweeps"));
        Assert.Equal(("grid25-asha", 5, 64), (s.Name, s.Parameters.Count, s.MaxTrials));
        Assert.Equal(500, s.BaseSpec.Health.EvalEvery);
    }

    /// <summary>Each: a broken sweep, the field path and line its error must name, and a fragment of its message.</summary>
    public static TheoryData<string, string, string, int?, string> Broken => new()
    {
        { "wrong type", Edit(13, "max_trials: eight"), "max_trials", 13, "expected an integer, found 'eight'" },
        { "unknown top-level field", Append("max_trial: 8"), "max_trial", 14, "unknown field 'max_trial'" },
        { "unknown algorithm setting", Edit(11, "algorithm: { kind: random, eta: 2 }"), "algorithm.eta", 11, "unknown field 'eta'" },
        { "unknown algorithm", Edit(11, "algorithm: bayes"), "algorithm", 11, "one of grid, random, tpe, asha, pbt" },
        { "unknown metric", Edit(12, "metric: { name: fid, goal: min }"), "metric.name", 12, "one of fd, kid, classifier_score" },
        { "unknown goal", Edit(12, "metric: { name: modes_covered, goal: lowest }"), "metric.goal", 12, "one of min, max" },
        { "no metric", Drop(12), "metric", 1, "required" },
        { "metric the dataset does not report", Edit(12, "metric: { name: fd, goal: min }"), "metric.name", 12, "ring8 reports no 'fd'" },
        { "metric never evaluated", Edit(7, "  health: { eval_every: 0 }"), "metric.name", 12, "never evaluates (health.eval_every: 0)" },
        { "metric not evaluated within a trial", Edit(7, "  health: { eval_every: 200 }"), "metric.name", 12, "a 100-step trial is never evaluated" },
        { "uniform with one bound", Edit(10, "  labels.instance_noise: { uniform: [0.2] }"), "space.labels.instance_noise.uniform", 10, "a list [low, high] of two numbers, found 1 value(s)" },
        { "unknown space path", Edit(10, "  model.hiden: [64, 128]"), "space.model.hiden", 10, "unknown field 'hiden'" },
        { "space path that is no path", Edit(10, "  model..hidden: [64, 128]"), "space.model..hidden", 10, "a run-spec field path" },
        { "space value of the wrong type", Edit(10, "  d_steps: [1, two]"), "space.d_steps", 10, "expected an integer, found 'two', with d_steps=two" },
        { "space bound out of the field's range", Edit(9, "  optimizers.g.lr: { loguniform: [1.0e-4, 20] }"), "space.optimizers.g.lr", 9, "[1E-12, 10], found 20" },
        { "continuous domain on an integer field", Edit(10, "  d_steps: { uniform: [1, 4] }"), "space.d_steps", 10, "expected an integer, found '2.14" },
        { "space batch the world cannot split", Text([.. Valid[..9], "  batch_size: [12, 10]", .. Valid[10..], "world_size: 4"]), "space.batch_size", 10, "a multiple of 4 rank(s)" },
        { "reserved space path", Edit(10, "  seed: [1, 2]"), "space.seed", 10, "the sweep's 'seeds' sets it" },
        { "low not below high", Edit(10, "  labels.instance_noise: { uniform: [0.2, 0.1] }"), "space.labels.instance_noise.uniform", 10, "low < high" },
        { "loguniform from zero", Edit(9, "  optimizers.g.lr: { loguniform: [0, 1.0e-3] }"), "space.optimizers.g.lr.loguniform", 9, "a positive low bound" },
        { "zero step", Edit(10, "  labels.instance_noise: { uniform: [0, 1], q: 0 }"), "space.labels.instance_noise.q", 10, "a number > 0" },
        { "NaN bound", Edit(10, "  labels.instance_noise: { uniform: [NaN, 1] }"), "space.labels.instance_noise.uniform[0]", 10, "a finite number, found 'NaN'" },
        { "integer step with no multiple in range", Edit(10, "  model.hidden: { int: [65, 70], q: 32 }"), "space.model.hidden.q", 10, "a multiple in [65, 70]" },
        { "two distributions", Edit(10, "  d_steps: { int: [1, 3], choice: [1] }"), "space.d_steps", 10, "exactly one of choice, uniform, loguniform, int" },
        { "unknown distribution", Edit(10, "  d_steps: { normal: [1, 3] }"), "space.d_steps.normal", 10, "unknown field 'normal'" },
        { "step on a choice", Edit(10, "  d_steps: { choice: [1, 2], q: 1 }"), "space.d_steps.q", 10, "unknown field 'q'" },
        { "a constant is not a domain", Edit(10, "  d_steps: 2"), "space.d_steps", 10, "a list of values (a grid axis)" },
        { "empty grid axis", Edit(10, "  d_steps: []"), "space.d_steps", 10, "at least one value" },
        { "repeated grid value", Edit(10, "  d_steps: [1, 1]"), "space.d_steps[1]", 10, "distinct values" },
        { "nested grid value", Edit(10, "  d_steps: [1, [2]]"), "space.d_steps[1]", 10, "a single value" },
        { "grid with a continuous domain", Edit(11, "algorithm: grid"), "space.optimizers.g.lr", 9, "'grid' enumerates its values" },
        { "too many grid trials", Text([.. Valid[..8], "  optimizers.g.lr: [1.0e-4, 2.0e-4, 3.0e-4]", Valid[9], "algorithm: grid", Valid[11], "max_trials: 4"]), "max_trials", 13, "at least the grid's 6 trials (3 × 2 configurations × 1 seed(s))" },
        { "grid trials times seeds", Text([.. Valid[..8], Valid[9], "algorithm: grid", Valid[11], "max_trials: 3", "seeds: 2"]), "max_trials", 12, "at least the grid's 4 trials" },
        { "no budget for random search", Drop(13), "max_trials", 1, "only a grid search has a default" },
        { "random search of nothing", Drop(8, 9, 10), "space", 1, "at least one searched field for random search" },
        { "repeated seed", Append("seeds: [1, 2, 1]"), "seeds[2]", 14, "distinct seeds" },
        { "negative seed", Append("seeds: [-1]"), "seeds[0]", 14, "a non-negative integer" },
        { "no seeds", Append("seeds: 0"), "seeds", 14, "an integer in [1, 10000]" },
        { "seeds as a mapping", Append("seeds: { n: 2 }"), "seeds", 14, "a number of seeds, or a list of seeds" },
        { "asha grace past the trial", Edit(11, "algorithm: { kind: asha, grace_steps: 100 }"), "algorithm.grace_steps", 11, "fewer than steps_per_trial (100)" },
        { "asha grace before an evaluation", Edit(11, "algorithm: { kind: asha, grace_steps: 5 }"), "algorithm.grace_steps", 11, "at least the base spec's health.eval_every (10)" },
        { "asha eta of one", Edit(11, "algorithm: { kind: asha, grace_steps: 10, eta: 1 }"), "algorithm.eta", 11, "a number > 1" },
        { "asha without settings", Edit(11, "algorithm: asha"), "algorithm", 11, "asha needs its settings" },
        { "asha with an unknown sampler", Edit(11, "algorithm: { kind: asha, grace_steps: 10, sampler: pbt }"), "algorithm.sampler", 11, "one of random, tpe, grid" },
        { "pbt population of one", Edit(11, "algorithm: { kind: pbt, interval_steps: 10, population: 1 }"), "algorithm.population", 11, "an integer in [2, 10000]" },
        { "pbt quantile past a half", Edit(11, "algorithm: { kind: pbt, interval_steps: 10, population: 4, quantile: 0.6 }"), "algorithm.quantile", 11, "a number in [0, 0.5]" },
        { "pbt quantile of zero", Edit(11, "algorithm: { kind: pbt, interval_steps: 10, population: 4, quantile: 0 }"), "algorithm.quantile", 11, "a number in (0, 0.5]" },
        { "pbt negative factor", Edit(11, "algorithm: { kind: pbt, interval_steps: 10, population: 4, factors: [0.8, -1] }"), "algorithm.factors[1]", 11, "a positive number" },
        { "pbt population past the budget", Edit(11, "algorithm: { kind: pbt, interval_steps: 10, population: 16 }"), "max_trials", 13, "at least the PBT population (16)" },
        { "pbt synchronous not a boolean", Edit(11, "algorithm: { kind: pbt, interval_steps: 10, population: 4, synchronous: yes }"), "algorithm.synchronous", 11, "true or false" },
        { "tpe with no candidates", Edit(11, "algorithm: { kind: tpe, candidates: 0 }"), "algorithm.candidates", 11, "an integer in [1, 100000]" },
        { "no concurrency", Append("max_concurrent_trials: 0"), "max_concurrent_trials", 14, "an integer in [1, 1024]" },
        { "world size out of range", Append("world_size: 2000"), "world_size", 14, "an integer in [1, 1024]" },
        { "world size the batch cannot split", Append("world_size: 5"), "world_size", 14, "batch_size must be a multiple of 5 rank(s)" },
        { "bad policy", Append("on_collapse: flag"), "on_collapse", 14, "one of stop, continue" },
        { "zero quota", Append("disk_quota_mb: 0"), "disk_quota_mb", 14, "an integer in [1, 1073741824]" },
        { "name with a space", Edit(1, "name: my sweep"), "name", 1, "letters, digits" },
        { "no base", Drop(2, 3, 4, 5, 6, 7), "base", 1, "required" },
        { "base file missing", Drop(3, 4, 5, 6, 7).Replace("base:\n", "base: nowhere.yaml\n"), "base", 2, "no such file" },
        { "inline base invalid", Edit(3, "  steps: many"), "base.steps", 3, "expected an integer, found 'many'" },
        { "set value refused", Append("set: { model.hidden: wide }"), "set.model.hidden", 14, "expected an integer, found 'wide'" },
        { "set unknown path", Append("set:", "  model.hiden: 3"), "set.model.hiden", 15, "unknown field 'hiden'" },
        { "unclosed mapping", Edit(12, "metric: { name: fd"), "(document)", 12, "an unclosed [ or {" },
        { "unclosed list", Edit(10, "  d_steps: [1, 2"), "(document)", 10, "an unclosed [ or {" },
        { "bad indentation", Edit(6, "   dataset: { kind: ring8 }"), "(document)", 6, "valid YAML" },
        { "duplicate key", Append("max_trials: 9"), "(document)", 14, "valid YAML" },
        { "not a mapping", "- name: t\n", "(document)", 1, "a mapping of fields" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void A_broken_sweep_names_the_field_and_line(string why, string yaml, string field, int? line, string fragment)
    {
        var e = Assert.Throws<SpecException>(() => SweepSpecLoader.LoadText(yaml, "sweep.yaml"));
        Assert.True(field == e.FieldPath && line == e.Line && e.Message.Contains(fragment, StringComparison.Ordinal),
            $"{why}: expected field '{field}' at line {line} with '{fragment}', got: {e.Message} (line {e.Line})");
        Assert.Equal("sweep.yaml", e.File);
        Assert.StartsWith($"sweep.yaml:{line}: field '{field}': expected ", e.Message);
    }

    [Fact]
    public void There_are_at_least_25_broken_cases() => Assert.True(Broken.Count >= 25);

    [Fact]
    public async Task Aliases_are_not_expanded()
    {
        // Nine levels of ten aliases each: 10^9 scalars if anything walked the tree as text or by value.
        var lines = new List<string> { "l0: &l0 [x, x, x, x, x, x, x, x, x, x]" };
        for (var i = 1; i < 9; i++)
            lines.Add($"l{i}: &l{i} [{string.Join(", ", Enumerable.Repeat($"*l{i - 1}", 10))}]");
        var bomb = string.Join('\n', lines) + "\n";
        string[] places =
        [
            bomb + Text(Valid),                                                                   // an unknown top-level field
            bomb + Text(Valid).Replace("  d_steps: [1, 2]", "  d_steps: { choice: *l8 }"),         // a choice's values
            bomb + Text(Valid).Replace("  health: { eval_every: 10 }", "  health: *l8"),            // a base section
            bomb + Text(Valid).Replace("  health: { eval_every: 10 }", "  health: { eval_every: 10, x: *l8 }"),
            bomb + Append("set: { name: *l8 }"),
            bomb + Append("seeds: *l8"),
        ];
        // On a worker thread, so that an expansion fails the test instead of hanging the run.
        var loads = Task.Run(() =>
        {
            foreach (var yaml in places)
                Assert.Throws<SpecException>(() => SweepSpecLoader.LoadText(yaml, "bomb.yaml"));
        }, TestContext.Current.CancellationToken);
        await loads.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken); // a TimeoutException: they were expanded
    }
}
