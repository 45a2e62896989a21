using System.Diagnostics;
using System.Globalization;
using GanCluster.Rank;
using GanCluster.Specs;
using GanCluster.Specs.Sweeps;
using GanCluster.Sweeps;
using GanCluster.Training.Health;
using GanCluster.Training.Runtime;

namespace GanCluster.Bench;

/// <summary>
/// Search efficiency at equal compute, on a real GAN search: one sweep file run by random search, TPE, ASHA with
/// random sampling and ASHA with TPE, each over several sweep seeds, every trial really trained (one at a time, in
/// this process, through the workers' own <see cref="RankHost"/>). Each search gets random search's step budget
/// (its trials × steps per trial); the table reports the best score each reached and the steps it spent to first
/// reach random search's final best.
/// </summary>
internal static class SweepSearch
{
    private sealed record Point(long Spent, double Best);

    public static int Run(string sweepFile, int seeds)
    {
        var template = SweepSpecLoader.LoadFile(sweepFile);
        var asha = template.Algorithm as AshaSearch ?? throw new ArgumentException($"{sweepFile}: the template's algorithm must be asha (its rungs are the ASHA variants')");
        var budget = template.MaxTrials * template.StepsPerTrial;
        var metric = template.Metric;
        Console.WriteLine($"# Search efficiency on {template.Name}: {template.Parameters.Count} parameters, {metric.Goal.ToString().ToLowerInvariant()} {metric.Name}, budget {budget:N0} steps (random's {template.MaxTrials} × {template.StepsPerTrial:N0}), {seeds} sweep seed(s)");
        Console.WriteLine();
        (string Name, SearchAlgorithm Algorithm)[] searches =
        [
            ("random", new RandomSearch()),
            ("tpe", new TpeSearch()),
            ("asha (random)", asha with { Sampler = new RandomSearch() }),
            ("asha (tpe)", asha with { Sampler = new TpeSearch() }),
        ];
        var curves = new Dictionary<(string, int), List<Point>>();
        for (var s = 0; s < seeds; s++)
        {
            foreach (var (name, algorithm) in searches)
            {
                var spec = template with { Algorithm = algorithm, Seed = template.Seed + s, MaxTrials = algorithm is AshaSearch ? 10_000 : template.MaxTrials };
                var clock = Stopwatch.StartNew();
                var (curve, trials) = Search(spec, budget);
                curves[(name, s)] = curve;
                Console.Error.WriteLine($"seed {spec.Seed} {name}: {trials} trial(s), best {curve.LastOrDefault()?.Best:G4} after {curve.LastOrDefault()?.Spent:N0} steps, {clock.Elapsed.TotalSeconds:F0} s");
            }
        }

        Console.WriteLine("| sweep seed | search | trials' steps | best at the budget | steps to reach random's best | share of the budget |");
        Console.WriteLine("|---|---|---|---|---|---|");
        var shares = searches.ToDictionary(x => x.Name, _ => new List<double>());
        for (var s = 0; s < seeds; s++)
        {
            var target = curves[("random", s)].Last().Best;
            foreach (var (name, _) in searches)
            {
                var curve = curves[(name, s)];
                var reached = curve.FirstOrDefault(p => !metric.IsBetter(target, p.Best));
                var share = reached is null ? double.NaN : (double)reached.Spent / budget;
                shares[name].Add(share);
                Console.WriteLine($"| {template.Seed + s} | {name} | {curve.Last().Spent:N0} | {curve.Last().Best:G4} | {(reached is null ? "not reached" : reached.Spent.ToString("N0", CultureInfo.InvariantCulture))} | {(double.IsNaN(share) ? "—" : share.ToString("P0", CultureInfo.InvariantCulture))} |");
            }
        }
        Console.WriteLine();
        foreach (var (name, values) in shares)
        {
            var reachedAll = values.All(v => !double.IsNaN(v));
            Console.WriteLine($"{name}: reached random's best in {values.Count(v => !double.IsNaN(v))}/{seeds} seed(s); median share of the budget {(reachedAll ? Median(values).ToString("P0", CultureInfo.InvariantCulture) : "—")}");
        }
        return 0;
    }

    /// <summary>One sweep, trial after trial, until the algorithm has none or the budget is spent; the best score after each evaluation against the steps spent.</summary>
    private static (List<Point> Curve, int Trials) Search(SweepSpec spec, long budget)
    {
        var algorithm = SweepAlgorithms.Create(spec);
        var curve = new List<Point>();
        var spent = 0L;
        var best = spec.Metric.Worst;
        var trials = 0;
        while (spent < budget && algorithm.Next() is { } request)
        {
            trials++;
            var overrides = request.Configuration.Overrides.Append($"seed={request.Seed}").Append($"steps={Math.Min(spec.StepsPerTrial, budget - spent)}").ToList();
            var (runSpec, yaml) = RunSpecLoader.LoadText(spec.BaseSpecYaml, $"{spec.Name} trial {request.Trial}", overrides, 1, resolvePaths: false);
            var folder = Path.Combine(Path.GetTempPath(), "gancluster-sweep-search", $"{spec.Name}-{spec.Seed}-{request.Trial}");
            using var stop = new CancellationTokenSource();
            var observer = new Judge(spec, runSpec, algorithm, request.Trial, stop, value =>
            {
                // The budget is spent by the step, so each evaluation is placed at the steps spent when it was made.
                best = spec.Metric.IsBetter(value.Value, best) ? value.Value : best;
                curve.Add(new Point(spent + value.Step, best));
            });
            RankResult result;
            using (var host = RankHost.Open(new RankRequest { Spec = runSpec, SpecYaml = yaml, RunDirectory = folder, RunLabel = runSpec.Name }, _ => { }))
                result = host.Train(observer, stop.Token);
            spent += result.Step;
            algorithm.Ended(request.Trial, observer.Stopped ? TrialEnd.Stopped : result.Outcome switch
            {
                LoopOutcome.Completed => TrialEnd.Completed,
                LoopOutcome.Diverged => TrialEnd.Diverged,
                _ => TrialEnd.Stopped,
            });
            Directory.Delete(folder, recursive: true);
        }
        return (curve, trials);
    }

    /// <summary>Hands each evaluation to the algorithm and stops the trial when it says so.</summary>
    private sealed class Judge(SweepSpec sweep, RunSpec run, ISweepAlgorithm algorithm, int trial, CancellationTokenSource stop, Action<(long Step, double Value)> scored) : ITrainingObserver
    {
        public bool Stopped { get; private set; }

        public void OnReport(HealthRecord record, long totalSteps)
        {
            if (Stopped || !TrainingLoop.IsEvaluationStep(run, record.Report.Step, totalSteps) || Value(record, sweep.Metric.Name) is not { } value)
                return;
            var reported = double.IsNaN(value) ? sweep.Metric.Worst : value;
            scored((record.Report.Step, reported));
            if (algorithm.Observe(trial, record.Report.Step, value) is TrialDecision.Stop)
            {
                Stopped = true;
                stop.Cancel();
            }
        }
    }

    private static double? Value(HealthRecord r, string metric) => metric switch
    {
        "reverse_kl" => r.Mixture?.ReverseKl,
        "high_quality_fraction" => r.Mixture?.HighQualityFraction,
        "modes_covered" => r.Mixture?.ModesCovered,
        _ => throw new ArgumentException($"sweep-search reads the mixture metrics (reverse_kl, high_quality_fraction, modes_covered), not {metric}"),
    };

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
