using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace GanCluster.Specs.Sweeps;

/// <summary>
/// Reads a YAML sweep spec and validates every field, as <see cref="RunSpecLoader"/> does a run spec: errors are
/// <see cref="SpecException"/>s naming the file, line and field path. The base run spec is validated as a run spec, and
/// every searched path is checked by applying sample values to it as overrides.
/// </summary>
public static partial class SweepSpecLoader
{
    private static readonly string[] AlgorithmKinds = ["grid", "random", "tpe", "asha", "pbt"];
    private static readonly string[] SamplerKinds = ["random", "tpe", "grid"];

    /// <summary>Loads a sweep file; a <c>base:</c> file name is relative to the sweep file's folder.</summary>
    public static SweepSpec LoadFile(string path)
    {
        if (!File.Exists(path))
            throw new SpecException(path, "(file)", null, "an existing YAML sweep spec", "no such file");
        return LoadText(File.ReadAllText(path), path, Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <param name="baseDirectory">The folder a <c>base:</c> file name is relative to (default: the working directory).</param>
    public static SweepSpec LoadText(string yaml, string file = "<sweep>", string? baseDirectory = null)
    {
        var root = RunSpecLoader.Parse(yaml, file);
        var f = new YamlFields(file, "", root, YamlFields.NoOrigins);
        var name = Name(f);
        var (baseSpec, baseYaml, baseFile) = Base(f, baseDirectory ?? Directory.GetCurrentDirectory());
        var space = SweepSpaceReader.Read(f.Raw("space"), file);
        var seeds = Seeds(f, baseSpec.Seed);
        var steps = f.Long("steps_per_trial", 1, 100_000_000, baseSpec.Steps);
        var algorithm = Algorithm(f, steps);
        var metric = Metric(f, baseSpec, steps);
        var grid = algorithm is GridSearch ? "algorithm" : (algorithm as AshaSearch)?.Sampler is GridSearch ? "algorithm.sampler" : null;
        if (grid is not null)
            RequireFinite(f, grid, space);
        var maxTrials = f.Has("max_trials") ? f.Int("max_trials", 1, 100_000) : (int?)null;
        var spec = new SweepSpec
        {
            Name = name,
            BaseSpecYaml = baseYaml,
            BaseSpecFile = baseFile,
            BaseSpec = baseSpec,
            Parameters = space.Select(p => p.Parameter).ToArray(),
            Seeds = seeds,
            Algorithm = algorithm,
            Metric = metric,
            MaxTrials = maxTrials ?? GridDefault(f, algorithm, space, seeds),
            MaxConcurrentTrials = f.Int("max_concurrent_trials", 1, 1024, 1),
            StepsPerTrial = steps,
            WorldSize = f.Int("world_size", 1, 1024, 1),
            Priority = f.Int("priority", -1_000_000, 1_000_000, 0),
            Seed = f.Long("seed", 0, long.MaxValue, 0),
            OnCollapse = f.Kind("on_collapse", TrialPolicy.Stop),
            OnDiverge = f.Kind("on_diverge", TrialPolicy.Stop),
            KeepBest = f.Int("keep_best", 0, 1000, 1),
            DiskQuotaBytes = f.Has("disk_quota_mb") ? f.Long("disk_quota_mb", 1, 1L << 30) << 20 : null,
        };
        f.RejectUnknown();

        RequireShardable(f, baseSpec, spec.WorldSize);
        SweepSpaceReader.CheckAgainstBase(space, baseYaml, spec.WorldSize, file);
        if (algorithm is not GridSearch && space.Count == 0)
            throw f.Error("space", $"at least one searched field for {Kind(algorithm)} search (only a grid may sweep seeds alone)", "none");
        if (grid is not null && GridSize(space, seeds) is var size && size > spec.MaxTrials)
            throw f.Error("max_trials", $"at least the grid's {size} trials ({Product(space, seeds)})", spec.MaxTrials.ToString(CultureInfo.InvariantCulture));
        RequireEvaluations(f, algorithm, metric, baseSpec.Health.EvalEvery);
        if (algorithm is PbtSearch && (baseSpec.GeneratorOptimizer.EndLearningRate is not null || baseSpec.DiscriminatorOptimizer.EndLearningRate is not null))
            throw f.Error("algorithm.kind", "a search that leaves the learning rate alone: the base spec decays it (optimizers.*.lr_end) over a run's steps, but PBT sets rates itself and trains each interval as its own run", "'pbt'");
        if (algorithm is PbtSearch pbt && pbt.PopulationSize > spec.MaxTrials)
            throw f.Error("max_trials", $"at least the PBT population ({pbt.PopulationSize}): every member is a trial", spec.MaxTrials.ToString(CultureInfo.InvariantCulture));
        return spec;
    }

    private static string Name(YamlFields f)
    {
        var name = f.String("name");
        if (!SweepName().IsMatch(name))
            throw f.Error("name", "1 to 100 letters, digits, '.', '_' or '-', not starting with '.' (it names the sweep's trials and folders)", $"'{name}'");
        return name;
    }

    /// <summary><c>base: FILE</c> (a run spec, relative to the sweep file) or <c>base:</c> with the run spec inline.</summary>
    private static (RunSpec Spec, string Yaml, string? File) Base(YamlFields f, string baseDirectory)
    {
        switch (f.Raw("base"))
        {
            case null:
                throw f.Error("base", "a run spec file name, or a run spec inline", "nothing (the field is required)");
            case YamlScalarNode name:
                var path = Path.GetFullPath(Path.Combine(baseDirectory, name.Value!));
                if (!File.Exists(path))
                    throw f.Error("base", "a run spec file (relative to the sweep file's folder)", $"no such file '{path}'");
                var text = File.ReadAllText(path);
                return Set(f, RunSpecLoader.LoadText(text, path, resolvePaths: false).Spec, text, path);
            case YamlMappingNode inline:
                // Bound before it is rendered: once every field is known, aliases cannot make the text large.
                var spec = RunSpecLoader.Bind(inline, f.File, "base");
                return Set(f, spec, RunSpecLoader.Render(inline), null);
            case var other:
                throw f.Error("base", "a run spec file name, or a run spec inline", YamlFields.Describe(other));
        }
    }

    /// <summary>
    /// <c>set: { PATH: VALUE }</c>: overrides applied to the base for every trial, as <c>--set</c> applies them to a run;
    /// the base then is the effective YAML. A refused value is blamed on its line here.
    /// </summary>
    private static (RunSpec Spec, string Yaml, string? File) Set(YamlFields f, RunSpec spec, string yaml, string? file)
    {
        if (f.Raw("set") is not { } node)
            return (spec, yaml, file);
        if (node is not YamlMappingNode set)
            throw f.Error("set", "a mapping of run-spec field paths to values", YamlFields.Describe(node));
        var assignments = new List<(string Assignment, int Line)>(set.Children.Count);
        foreach (var (key, value) in set.Children)
        {
            var path = (key as YamlScalarNode)?.Value ?? "?";
            var line = (int)key.Start.Line;
            if (!SweepSpaceReader.IsFieldPath(path))
                throw new SpecException(f.File, "set." + path, line, "a run-spec field path such as health.eval_every", $"'{path}'");
            if (value is not YamlScalarNode scalar || YamlFields.IsNull(scalar))
                throw new SpecException(f.File, "set." + path, line, "a single value", YamlFields.Describe(value));
            assignments.Add(($"{path}={scalar.Value}", line));
        }
        try
        {
            var (effective, effectiveYaml) = RunSpecLoader.LoadText(yaml, file ?? "base", assignments.Select(a => a.Assignment), resolvePaths: false);
            return (effective, effectiveYaml, file);
        }
        catch (SpecException e)
        {
            var (assignment, line) = assignments.FirstOrDefault(a => a.Assignment == e.Override, assignments[^1]);
            var field = "set." + assignment[..assignment.IndexOf('=')];
            var expected = "set." + e.FieldPath == field ? e.Expected : $"{e.Expected} (field '{e.FieldPath}')";
            throw new SpecException(f.File, field, line, expected, $"{e.Found}, with {assignment} on the base spec");
        }
    }

    /// <summary><c>seeds: N</c> for 0 … N-1, or a list of distinct seeds; by default the base spec's own.</summary>
    private static IReadOnlyList<long> Seeds(YamlFields f, long baseSeed)
    {
        switch (f.Raw("seeds"))
        {
            case null:
                return [baseSeed];
            case YamlScalarNode:
                return Enumerable.Range(0, f.Int("seeds", 1, 10_000)).Select(i => (long)i).ToArray();
            default:
                var values = f.Scalars("seeds", "a number of seeds, or a list of seeds")!;
                if (values.Count == 0)
                    throw f.Error("seeds", "at least one seed", "an empty list");
                var seeds = new List<long>(values.Count);
                for (var i = 0; i < values.Count; i++)
                {
                    if (!long.TryParse(values[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed) || seed < 0)
                        throw f.Error($"seeds[{i}]", "a non-negative integer", $"'{values[i]}'");
                    if (seeds.Contains(seed))
                        throw f.Error($"seeds[{i}]", "distinct seeds", $"{seed} again");
                    seeds.Add(seed);
                }
                return seeds;
        }
    }

    /// <summary><c>algorithm: KIND</c>, or a mapping with <c>kind</c> and its settings; a grid by default.</summary>
    private static SearchAlgorithm Algorithm(YamlFields f, long steps)
    {
        if (f.Raw("algorithm") is null or YamlScalarNode)
        {
            var kind = f.Choice("algorithm", AlgorithmKinds, "grid");
            if (kind is "asha" or "pbt")
                throw f.Error("algorithm", $"a mapping {{ kind: {kind}, {(kind == "asha" ? "grace_steps" : "interval_steps, population")}: ... }} ({kind} needs its settings)", $"'{kind}'");
            return Settings(kind, new YamlFields(f.File, "algorithm", null, YamlFields.NoOrigins), steps);
        }
        var a = f.Section("algorithm");
        var algorithm = Settings(a.Choice("kind", AlgorithmKinds), a, steps);
        a.RejectUnknown();
        return algorithm;
    }

    private static SearchAlgorithm Settings(string kind, YamlFields a, long steps) => kind switch
    {
        "grid" => new GridSearch(),
        "random" => new RandomSearch(),
        "tpe" => new TpeSearch(a.Int("startup_trials", 1, 100_000, 10), a.Int("candidates", 1, 100_000, 24)),
        "asha" => Asha(a, steps),
        _ => Pbt(a, steps),
    };

    private static AshaSearch Asha(YamlFields a, long steps)
    {
        var grace = a.Long("grace_steps", 1, 100_000_000);
        if (grace >= steps)
            throw a.Error("grace_steps", $"fewer than steps_per_trial ({steps}): the first rung comes before a trial ends", grace.ToString(CultureInfo.InvariantCulture));
        var eta = a.Double("eta", 1, 1000, 4);
        if (eta <= 1)
            throw a.Error("eta", "a number > 1 (a rung keeps the top 1/eta)", eta.ToString(CultureInfo.InvariantCulture));
        var meanOfLast = a.OptionalInt("mean_of_last", 1, 1000);
        SearchAlgorithm sampler = new RandomSearch();
        if (a.Raw("sampler") is YamlScalarNode)
            sampler = Settings(a.Choice("sampler", SamplerKinds), new YamlFields(a.File, "algorithm.sampler", null, YamlFields.NoOrigins), steps);
        else if (a.Has("sampler"))
        {
            var s = a.Section("sampler");
            sampler = Settings(s.Choice("kind", SamplerKinds), s, steps);
            s.RejectUnknown();
        }
        return new AshaSearch(grace, eta, meanOfLast, sampler);
    }

    private static PbtSearch Pbt(YamlFields a, long steps)
    {
        var interval = a.Long("interval_steps", 1, 100_000_000);
        if (interval >= steps)
            throw a.Error("interval_steps", $"fewer than steps_per_trial ({steps}): members exploit and explore between intervals", interval.ToString(CultureInfo.InvariantCulture));
        var population = a.Int("population", 2, 10_000);
        var quantile = a.Double("quantile", 0, 0.5, 0.25);
        if (quantile <= 0)
            throw a.Error("quantile", "a number in (0, 0.5]: the share of the population that exploits, and that is copied", quantile.ToString(CultureInfo.InvariantCulture));
        var resample = a.Double("resample_probability", 0, 1, 0.25);
        List<double>? factors = null;
        if (a.Scalars("factors", "a list of positive numbers") is { } values)
        {
            if (values.Count == 0)
                throw a.Error("factors", "at least one perturbation factor", "an empty list");
            factors = [];
            for (var i = 0; i < values.Count; i++)
            {
                if (!double.TryParse(values[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var factor) || !double.IsFinite(factor) || factor <= 0)
                    throw a.Error($"factors[{i}]", "a positive number", $"'{values[i]}'");
                factors.Add(factor);
            }
        }
        return new PbtSearch(interval, population, quantile, resample, factors, a.Bool("synchronous", false));
    }

    private static SweepMetric Metric(YamlFields f, RunSpec baseSpec, long steps)
    {
        if (!f.Has("metric"))
            throw f.Error("metric", "a mapping { name, goal }", "nothing (the field is required)");
        var m = f.Section("metric");
        var name = m.String("name");
        if (!SweepMetric.Known.Contains(name))
            throw m.Error("name", "one of " + string.Join(", ", SweepMetric.Known), $"'{name}'");
        var metric = new SweepMetric(name, m.Kind<MetricGoal>("goal"));
        m.RejectUnknown();
        if (metric.NeverReportedBy(baseSpec, steps) is { } reason)
            throw m.Error("name", $"a metric the trials report, but {reason}", $"'{name}'");
        return metric;
    }

    /// <summary>ASHA judges a trial at each rung, and PBT at each interval, on its evaluations: there must be one by then.</summary>
    private static void RequireEvaluations(YamlFields f, SearchAlgorithm algorithm, SweepMetric metric, int evalEvery)
    {
        if (!metric.IsEvaluated)
            return;
        var (field, steps) = algorithm switch
        {
            AshaSearch asha => ("algorithm.grace_steps", asha.GraceSteps),
            PbtSearch pbt => ("algorithm.interval_steps", pbt.IntervalSteps),
            _ => (null, 0L),
        };
        if (field is not null && steps < evalEvery)
            throw f.Error(field, $"at least the base spec's health.eval_every ({evalEvery}): '{metric.Name}' comes from its evaluations", steps.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>A grid's default budget is the whole grid; other searches must say how many trials they may make.</summary>
    private static int GridDefault(YamlFields f, SearchAlgorithm algorithm, IReadOnlyList<(SweepParameter Parameter, int Line)> space, IReadOnlyList<long> seeds)
    {
        if (algorithm is not GridSearch)
            throw f.Error("max_trials", $"an integer in [1, 100000] (only a grid search has a default, its size; this is {Kind(algorithm)})", "nothing");
        var size = GridSize(space, seeds);
        return size <= 100_000 ? (int)size : throw f.Error("max_trials", "a grid of at most 100000 trials", $"{size} trials ({Product(space, seeds)})");
    }

    /// <summary>A grid enumerates lists and choices; continuous domains can only be sampled.</summary>
    private static void RequireFinite(YamlFields f, string algorithmField, IReadOnlyList<(SweepParameter Parameter, int Line)> space)
    {
        foreach (var ((path, domain), line) in space)
            if (!domain.IsFinite)
                throw new SpecException(f.File, "space." + path, line,
                    $"a list or {{ choice: [...] }}: {algorithmField} 'grid' enumerates its values (uniform, loguniform and int need random, tpe, asha or pbt)", DomainName(domain));
    }

    private static BigInteger GridSize(IEnumerable<(SweepParameter Parameter, int Line)> space, IReadOnlyList<long> seeds) =>
        space.Aggregate(new BigInteger(seeds.Count), (n, p) => n * SweepSpaceReader.Count(p.Parameter.Domain));

    private static string Product(IEnumerable<(SweepParameter Parameter, int Line)> space, IReadOnlyList<long> seeds) =>
        string.Join(" × ", space.Select(p => SweepSpaceReader.Count(p.Parameter.Domain).ToString(CultureInfo.InvariantCulture))) + (space.Any() ? " configurations × " : "") + $"{seeds.Count} seed(s)";

    /// <summary>The base batch splits over the sweep's world size (the rule is <see cref="RunSpec.RequireShardable"/>'s; the world size is this file's).</summary>
    private static void RequireShardable(YamlFields f, RunSpec baseSpec, int worldSize)
    {
        try
        {
            baseSpec.RequireShardable(worldSize, f.File);
        }
        catch (SpecException e)
        {
            throw f.Error("world_size", $"a world size the base spec's batch splits over (batch_size must be {e.Expected})", $"{worldSize}, with batch_size {e.Found}");
        }
    }

    private static string Kind(SearchAlgorithm algorithm) => algorithm switch
    {
        GridSearch => "grid",
        RandomSearch => "random",
        TpeSearch => "tpe",
        AshaSearch => "asha",
        _ => "pbt",
    };

    private static string DomainName(ParameterDomain domain) => domain switch
    {
        UniformDomain => "uniform",
        LogUniformDomain => "loguniform",
        IntDomain => "int",
        _ => "a finite domain",
    };

    [GeneratedRegex(@"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex SweepName();
}
