using GanCluster.Specs;
using GanCluster.Specs.Sweeps;

namespace GanCluster.Sweeps.Tests;

/// <summary>Sweep specs built in code (the YAML loader is tested apart), on a tiny valid base spec.</summary>
internal static class TestSweeps
{
    private const string BaseYaml = "steps: 800\nmodel:\n  name: toy\ndataset: { kind: ring8 }\n";

    private static readonly RunSpec BaseSpec = RunSpecLoader.LoadText(BaseYaml, "base.yaml", resolvePaths: false).Spec;

    public static SweepSpec Spec(SearchAlgorithm algorithm, IReadOnlyList<SweepParameter> parameters, IReadOnlyList<long>? seeds = null,
        int maxTrials = 100, long steps = 800, MetricGoal goal = MetricGoal.Min, long seed = 7) => new()
    {
        Name = "test",
        BaseSpecYaml = BaseYaml,
        BaseSpec = BaseSpec,
        Parameters = parameters,
        Seeds = seeds ?? [0],
        Algorithm = algorithm,
        Metric = new SweepMetric("fd", goal),
        MaxTrials = maxTrials,
        MaxConcurrentTrials = 4,
        StepsPerTrial = steps,
        Seed = seed,
    };

    public static SweepParameter Parameter(string path, ParameterDomain domain) => new(path, domain);

    /// <summary>Every trial the algorithm hands out right now.</summary>
    public static List<TrialRequest> Drain(ISweepAlgorithm algorithm)
    {
        var trials = new List<TrialRequest>();
        while (algorithm.Next() is { } t)
            trials.Add(t);
        return trials;
    }

    public static string Describe(TrialRequest t) => $"#{t.Trial} c{t.Configuration.Index} seed {t.Seed}: {string.Join(" ", t.Configuration.Overrides)}";
}
