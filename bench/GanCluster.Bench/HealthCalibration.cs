using System.Globalization;
using System.Text.Json;
using GanCluster.Specs;
using GanCluster.Specs.Sweeps;
using GanCluster.Training.Evaluation;
using GanCluster.Training.Health;
using GanCluster.Training.Trainer;

namespace GanCluster.Bench;

/// <summary>
/// Calibrates the health verdict (<see cref="VerdictDetector"/>) on a corpus of real runs (bench/collapse/run-corpus.sh):
/// thresholds are searched on the calibration configurations and scored on held-out configurations, never seen by the search.
/// <para>Ground truth comes from each run's own evaluations, never from its name:</para>
/// <list type="bullet">
/// <item>collapsing or worse: the final evaluation misses a mode or class (coverage under 1); collapsed: under 0.75;</item>
/// <item>degrading: the last two evaluations are both worse than the best before them, by more than <see cref="TruthImageTolerance"/> (images, relative) or <see cref="TruthMixtureTolerance"/> (mixtures, absolute);</item>
/// <item>not converging: the final evaluation has under 10% of its samples near the data, or a Fréchet distance no better than the best constant image's.</item>
/// </list>
/// A run is flagged when its final verdict is at the level; its detection step is the start of its final stretch at that level.
/// The onset is the first evaluation of the truth's final stretch, so a negative delay means the verdict saw it first.
/// </summary>
/// <summary>The configurations of bench/collapse/configs.txt held out of the search, chosen before the corpus ran: a third per family, healthy and failing.</summary>
internal static class HealthCorpus
{
    public const string HeldOut = "healthy-hinge,high-g-lr,d-steps-5,ring-hot-long,grid-tiny-g,grid-hot-long,mnist-dcgan28,mnist-hot,fashion-d-heavy";
}

internal static class HealthCalibration
{
    private const double TruthImageTolerance = 0.15;
    private const double TruthMixtureTolerance = 0.05;
    private const double TruthSampleQuality = 0.1;

    private sealed record Line(StepReport Report, QualityEvidence? Evaluation);

    private sealed record Truth(bool Collapsing, bool Collapsed, bool Degrading, bool NotConverging, long? CoverageOnset, long? DegradingOnset);

    private sealed record CorpusRun(string Name, string Config, int Seed, string Dataset, SweepMetric Quality, IReadOnlyList<Line> Lines, Truth Truth)
    {
        public IEnumerable<(long Step, QualityEvidence E)> Evaluations => Lines.Where(l => l.Evaluation is not null).Select(l => (l.Report.Step, l.Evaluation!.Value));
    }

    private sealed record Score(int TruePositives, int FalsePositives, int FalseNegatives, int TrueNegatives, IReadOnlyList<long> Delays, IReadOnlyList<string> Errors)
    {
        public double Precision => TruePositives + FalsePositives == 0 ? 1 : (double)TruePositives / (TruePositives + FalsePositives);
        public double Recall => TruePositives + FalseNegatives == 0 ? 1 : (double)TruePositives / (TruePositives + FalseNegatives);
        public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);
        public string Delay => Delays.Count == 0 ? "-" : $"median {Median(Delays)}, max {Delays.Max()}";
    }

    /// <summary>A rule under test: whether a verdict is at its level, and the truth it is scored against.</summary>
    private sealed record Rule(string Name, Func<RunVerdict, bool> Flags, Func<Truth, bool> Truth, Func<Truth, long?> Onset);

    private static readonly Rule[] Rules =
    [
        new("Collapsing or worse (modes)", v => v.Modes >= ModeHealth.Collapsing, t => t.Collapsing, t => t.CoverageOnset),
        new("Collapsed (modes)", v => v.Modes == ModeHealth.Collapsed, t => t.Collapsed, t => t.CoverageOnset),
        new("Degrading (quality trend)", v => v.Trend == QualityTrend.Degrading, t => t.Degrading, t => t.DegradingOnset),
        new("Not converging", v => v.Convergence == Convergence.NotConverging, t => t.NotConverging, _ => null),
    ];

    public static int Run(string corpus, IReadOnlySet<string> heldOut)
    {
        var runs = Directory.EnumerateDirectories(corpus).Order(StringComparer.Ordinal).Select(Load).OfType<CorpusRun>().ToList();
        if (runs.Count == 0)
        {
            Console.Error.WriteLine($"no finished runs with metrics.jsonl under {corpus}; run bench/collapse/run-corpus.sh first");
            return 2;
        }
        var unknown = heldOut.Where(h => runs.All(r => r.Config != h)).ToList();
        if (unknown.Count > 0)
            Console.Error.WriteLine($"warning: the corpus has no finished run of held-out configuration(s) {string.Join(", ", unknown)} (still running?)");
        var calibration = runs.Where(r => !heldOut.Contains(r.Config)).ToList();
        var held = runs.Where(r => heldOut.Contains(r.Config)).ToList();
        Console.WriteLine($"corpus: {runs.Count} runs of {runs.Select(r => r.Config).Distinct().Count()} configurations ({string.Join(", ", runs.GroupBy(r => r.Dataset).Select(g => $"{g.Key} {g.Count()}"))});"
            + $" calibration: {calibration.Count} runs, held-out configurations ({string.Join(", ", heldOut.Order(StringComparer.Ordinal))}): {held.Count} runs");
        Console.WriteLine();
        PrintCorpus(runs, heldOut);

        var search =
            from confirm in new[] { 1, 2, 3 }
            from window in new[] { 2, 3, 4 }
            from drop in new[] { 0, 0.3, 0.5, 0.7 }
            from mixture in new[] { 0.02, 0.03, 0.05, 0.08 }
            from image in new[] { 0.1, 0.15, 0.2, 0.3 }
            select VerdictThresholds.Calibrated with
            {
                Confirm = confirm, TrendWindow = window, DiversityDrop = drop,
                MixtureTolerance = new QualityTolerance(0, mixture), ImageTolerance = new QualityTolerance(image, 0),
            };
        // The objective: the mean F1 of the flagged dimensions on the calibration configurations; ties keep more hysteresis.
        var chosen = search.Select(t => (Thresholds: t, Objective: Rules.Average(rule => Evaluate(calibration, t, rule).F1) + 1e-6 * t.Confirm))
            .MaxBy(x => x.Objective).Thresholds;
        Console.WriteLine();
        Console.WriteLine($"chosen on the calibration configurations: confirm {chosen.Confirm} evaluation(s), trend window {chosen.TrendWindow}, diversity drop {chosen.DiversityDrop:0.##},"
            + $" mixture tolerance {chosen.MixtureTolerance.Absolute:0.###} (absolute), image tolerance {chosen.ImageTolerance.Relative:P0} (relative);"
            + $" cheap signals as calibrated before: collapsed below {chosen.Cheap.CollapsedDiversity}, collapsing below {chosen.Cheap.CollapsingDiversity} (median of {chosen.Cheap.Persistence} reports)");
        Console.WriteLine();
        Console.WriteLine("| rule | split | runs | TP | FP | FN | TN | precision | recall | detection delay, steps (negative = before the truth's onset) | errors |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var rule in Rules)
            foreach (var (split, set) in new[] { ("calibration", calibration), ("**held out**", held) })
            {
                var s = Evaluate(set, chosen, rule);
                Console.WriteLine($"| {rule.Name} | {split} | {set.Count} | {s.TruePositives} | {s.FalsePositives} | {s.FalseNegatives} | {s.TrueNegatives} | {s.Precision:F3} | {s.Recall:F3} | {s.Delay} | {string.Join("; ", s.Errors)} |");
            }
        // The cheap signals alone: what a run without an evaluator is told (the modes rules, against the same truth).
        foreach (var rule in Rules.Take(2))
            foreach (var (split, set) in new[] { ("calibration", calibration), ("**held out**", held) })
            {
                var s = Evaluate(set, chosen, rule, cheapOnly: true);
                Console.WriteLine($"| {rule.Name}, cheap signals only | {split} | {set.Count} | {s.TruePositives} | {s.FalsePositives} | {s.FalseNegatives} | {s.TrueNegatives} | {s.Precision:F3} | {s.Recall:F3} | {s.Delay} | {string.Join("; ", s.Errors)} |");
            }
        Console.WriteLine();
        var changes = runs.Select(r => Changes(Replay(r, chosen, cheapOnly: false).Select(v => v.Verdict.Summary).ToList())).ToList();
        var raw = runs.Select(r => Changes(Replay(r, chosen with { Confirm = 1, DiversityDrop = 0 }, cheapOnly: false).Select(v => v.Verdict.Summary).ToList())).ToList();
        Console.WriteLine($"flapping (a summary returning to a state it had left), per run: median {Median(changes.Select(c => (long)c.Returns).ToList())}, max {changes.Max(c => c.Returns)}, runs with any {changes.Count(c => c.Returns > 0)} of {runs.Count};"
            + $" without hysteresis (confirm 1): median {Median(raw.Select(c => (long)c.Returns).ToList())}, max {raw.Max(c => c.Returns)}, runs with any {raw.Count(c => c.Returns > 0)}");
        foreach (var (run, summaries) in runs.Select(r => (r, Replay(r, chosen, cheapOnly: false).Select(v => v.Verdict.Summary).ToList())).Where(x => Changes(x.Item2).Returns > 0))
            Console.WriteLine($"- {run.Name}: {string.Join(" → ", summaries.Where((v, i) => i == 0 || v != summaries[i - 1]).Select(v => RunVerdict.Name(v)))}");
        return 0;
    }

    private static void PrintCorpus(IReadOnlyList<CorpusRun> runs, IReadOnlySet<string> heldOut)
    {
        Console.WriteLine("| configuration | seed | split | final coverage | final near-data share | quality metric: best, final | truth |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var r in runs)
        {
            var evaluations = r.Evaluations.ToList();
            var final = evaluations[^1].E;
            var best = evaluations.Select(e => e.E.Quality).Where(double.IsFinite).Aggregate(double.NaN, (b, q) => r.Quality.IsBetter(q, b) ? q : b);
            var truth = string.Join(", ", new[] { r.Truth.Collapsed ? "collapsed" : r.Truth.Collapsing ? "collapsing" : null, r.Truth.Degrading ? "degrading" : null, r.Truth.NotConverging ? "not converging" : null }.OfType<string>());
            Console.WriteLine($"| {r.Config} | {r.Seed} | {(heldOut.Contains(r.Config) ? "held out" : "calibration")} | {final.Coverage:P0} | {final.SampleQuality:P0} | {r.Quality.Name} {best:G4}, {final.Quality:G4} | {(truth.Length == 0 ? "healthy" : truth)} |");
        }
    }

    private static Score Evaluate(IReadOnlyList<CorpusRun> runs, VerdictThresholds thresholds, Rule rule, bool cheapOnly = false)
    {
        int tp = 0, fp = 0, fn = 0, tn = 0;
        var delays = new List<long>();
        var errors = new List<string>();
        foreach (var run in runs)
        {
            var verdicts = Replay(run, thresholds, cheapOnly).ToList();
            var flagged = rule.Flags(verdicts[^1].Verdict);
            var truth = rule.Truth(run.Truth);
            if (flagged && truth)
            {
                tp++;
                var detected = verdicts.AsEnumerable().Reverse().TakeWhile(v => rule.Flags(v.Verdict)).Last().Step;
                if (rule.Onset(run.Truth) is { } onset)
                    delays.Add(detected - onset);
            }
            else if (flagged)
            {
                fp++;
                errors.Add($"false alarm {run.Name}");
            }
            else if (truth)
            {
                fn++;
                errors.Add($"missed {run.Name}");
            }
            else
                tn++;
        }
        return new Score(tp, fp, fn, tn, delays, errors);
    }

    private static IEnumerable<(long Step, RunVerdict Verdict)> Replay(CorpusRun run, VerdictThresholds thresholds, bool cheapOnly)
    {
        var detector = new VerdictDetector(thresholds, run.Quality, measurable: !cheapOnly);
        foreach (var line in run.Lines)
            yield return (line.Report.Step, detector.Observe(line.Report, cheapOnly ? null : line.Evaluation));
    }

    private static (int Changes, int Returns) Changes(IReadOnlyList<HealthSummary> summaries)
    {
        var (changes, returns) = (0, 0);
        var left = new HashSet<HealthSummary>();
        for (var i = 1; i < summaries.Count; i++)
        {
            if (summaries[i] == summaries[i - 1])
                continue;
            changes++;
            left.Add(summaries[i - 1]);
            if (left.Contains(summaries[i]))
                returns++;
        }
        return (changes, returns);
    }

    private static CorpusRun? Load(string directory)
    {
        var metrics = Path.Combine(directory, "metrics.jsonl");
        var specFile = Path.Combine(directory, "spec.yaml");
        if (!File.Exists(metrics) || !File.Exists(specFile))
            return null;
        var spec = RunSpecLoader.LoadFile(specFile, []).Spec;
        var quality = SweepMetric.QualityOf(spec.Dataset.Kind);
        var baseline = spec.Dataset.Kind.IsMixture() ? null : ConstantBaseline(spec);
        var name = Path.GetFileName(directory);
        var dash = name.LastIndexOf("-s", StringComparison.Ordinal);
        var lines = new List<Line>();
        var texts = File.ReadAllLines(metrics);
        foreach (var text in texts)
        {
            var j = JsonDocument.Parse(text).RootElement;
            double D(string key) => j.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;
            float F(string key) => (float)D(key);
            var step = j.GetProperty("step").GetInt64();
            var report = new StepReport(step, F("d_loss"), F("g_loss"), F("d_real"), F("d_fake"), F("d_grad_norm"), F("g_grad_norm"), F("diversity_ratio"));
            var evaluated = spec.Health.EvalEvery > 0 && (step % spec.Health.EvalEvery == 0 || step == spec.Steps);
            QualityEvidence? evidence = null;
            if (evaluated && j.TryGetProperty("modes_reached", out var reached))
                evidence = new QualityEvidence(reached.GetDouble() / D("modes"), D("high_quality_fraction"), D(quality.Name), null);
            else if (evaluated && j.TryGetProperty("classes_covered", out var covered))
            {
                var fd = j.EnumerateObject().First(p => p.Name.StartsWith("fd_", StringComparison.Ordinal) && p.Name != "fd_constant_baseline").Value.GetDouble();
                evidence = new QualityEvidence(covered.GetDouble() / D("classes"), D("precision"), fd, baseline);
            }
            lines.Add(new Line(report, evidence));
        }
        if (lines.Count == 0 || lines[^1].Report.Step < spec.Steps || lines.All(l => l.Evaluation is null))
            return null; // Still running, killed, or never evaluated: not part of the corpus.
        var run = new CorpusRun(name, name[..dash], int.Parse(name[(dash + 2)..], CultureInfo.InvariantCulture), SpecName.Of(spec.Dataset.Kind) is "idx" ? Path.GetFileName(spec.Dataset.Path!) : SpecName.Of(spec.Dataset.Kind), quality, lines, null!);
        return run with { Truth = TruthOf(run) };
    }

    private static Truth TruthOf(CorpusRun run)
    {
        var evaluations = run.Evaluations.ToList();
        var final = evaluations[^1].E;
        long? coverageOnset = null;
        for (var i = evaluations.Count - 1; i >= 0 && evaluations[i].E.Coverage < 1 - 1e-9; i--)
            coverageOnset = evaluations[i].Step;
        var mixture = SweepMetric.IsMixtureQuality(run.Quality.Name);
        bool Worse(double value, double best) => run.Quality.IsBetter(best, value)
            && Math.Abs(value - best) > (mixture ? TruthMixtureTolerance : TruthImageTolerance * Math.Abs(best));
        // Worse than the best of the evaluations before it, for each evaluation.
        var worse = new bool[evaluations.Count];
        var best = double.NaN;
        for (var i = 0; i < evaluations.Count; i++)
        {
            var q = evaluations[i].E.Quality;
            worse[i] = !double.IsNaN(best) && double.IsFinite(q) && Worse(q, best);
            if (double.IsFinite(q) && run.Quality.IsBetter(q, best))
                best = q;
        }
        var degrading = evaluations.Count >= 2 && worse[^1] && worse[^2];
        long? degradingOnset = null;
        for (var i = evaluations.Count - 1; degrading && i >= 0 && worse[i]; i--)
            degradingOnset = evaluations[i].Step;
        var notConverging = final.SampleQuality < TruthSampleQuality || final.ConstantBaseline is { } b && final.Quality >= b;
        return new Truth(final.Coverage < 1 - 1e-9, final.Coverage < 0.75, degrading, notConverging, coverageOnset, degradingOnset);
    }

    /// <summary>The Fréchet distance of the best constant image for the dataset's cached evaluator (older corpus runs did not record it).</summary>
    private static double? ConstantBaseline(RunSpec spec)
    {
        try
        {
            using var evaluator = EvaluatorCatalog.Default().RequireFor(spec.Dataset);
            return evaluator.ConstantBaseline;
        }
        catch (EvaluatorException)
        {
            return null;
        }
    }

    private static long Median(IReadOnlyList<long> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted[sorted.Length / 2];
    }
}
