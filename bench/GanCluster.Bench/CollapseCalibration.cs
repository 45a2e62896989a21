using System.Globalization;
using System.Text.Json;
using GanCluster.Training.Health;
using GanCluster.Training.Trainer;

namespace GanCluster.Bench;

/// <summary>
/// Calibrates the collapse verdict on a corpus of real runs (bench/collapse/run-corpus.sh).
/// Ground truth comes from each run's own periodic evaluation: a run has collapsed when its final evaluation
/// reaches fewer than <see cref="CollapseThresholds.DefinitionCoverage"/> of the modes, and the collapse began
/// at the first evaluation of that final stretch. The cheap-signal verdict is replayed report by report: it
/// flags a run when its final verdict is at the level, and its detection step is the start of its final
/// stretch at that level, so that early, transient alarms neither count nor hide.
/// The thresholds are searched on the calibration seeds and scored on the held-out seeds.
/// </summary>
internal static class CollapseCalibration
{
    private sealed record Line(long Step, StepReport Report, double? Coverage);

    private sealed record CorpusRun(string Name, string Config, int Seed, IReadOnlyList<Line> Lines, long? Onset, bool Diverged);

    private sealed record Score(int TruePositives, int FalsePositives, int FalseNegatives, int TrueNegatives, IReadOnlyList<long> Delays, IReadOnlyList<string> Errors)
    {
        public double Precision => TruePositives + FalsePositives == 0 ? 1 : (double)TruePositives / (TruePositives + FalsePositives);
        public double Recall => TruePositives + FalseNegatives == 0 ? 1 : (double)TruePositives / (TruePositives + FalseNegatives);
        public double F(double beta) => Precision + Recall == 0 ? 0 : (1 + beta * beta) * Precision * Recall / (beta * beta * Precision + Recall);
        public string Delay => Delays.Count == 0 ? "-" : $"median {Median(Delays)}, max {Delays.Max()}";
    }

    public static int Run(string corpus, int[] calibrationSeeds)
    {
        var runs = Directory.EnumerateDirectories(corpus).Order(StringComparer.Ordinal).Select(Load).Where(r => r is not null).Select(r => r!).ToList();
        if (runs.Count == 0)
        {
            Console.Error.WriteLine($"no runs with metrics.jsonl under {corpus}; run bench/collapse/run-corpus.sh first");
            return 2;
        }
        var calibration = runs.Where(r => calibrationSeeds.Contains(r.Seed) && !r.Diverged).ToList();
        var heldOut = runs.Where(r => !calibrationSeeds.Contains(r.Seed) && !r.Diverged).ToList();
        Console.WriteLine($"corpus: {runs.Count} runs ({runs.Count(r => r.Onset is not null)} collapsed, {runs.Count(r => r.Diverged)} diverged); calibration seeds {string.Join(",", calibrationSeeds)}: {calibration.Count} runs, held out: {heldOut.Count} runs");
        Console.WriteLine();
        Console.WriteLine("| configuration | seed | final modes reached | collapsed since (eval step) | final diversity ratio | final D(x) − D(G(z)) |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var r in runs)
        {
            var last = r.Lines.LastOrDefault(l => l.Coverage is not null);
            var report = r.Lines[^1].Report;
            Console.WriteLine($"| {r.Config} | {r.Seed} | {(last is null ? "-" : $"{last.Coverage:P0}")} | {(r.Diverged ? "diverged" : r.Onset?.ToString(CultureInfo.InvariantCulture) ?? "-")} | {report.DiversityRatio:F3} | {report.DiscriminatorOnReal - report.DiscriminatorOnFake:F3} |");
        }

        // Grid search: the Collapsed rule first (F1), then the Collapsing warning above it (F2, recall-weighted).
        var diversities = Enumerable.Range(1, 19).Select(i => i * 0.05).ToArray();
        var gaps = Enumerable.Range(10, 10).Select(i => i * 0.05).Append(2.0).ToArray();
        int[] persistences = [1, 3, 5];
        var best = (Thresholds: CollapseThresholds.Calibrated, Score: (Score?)null);
        foreach (var p in persistences)
            foreach (var d in diversities)
                foreach (var g in gaps)
                {
                    var t = new CollapseThresholds(d, d, g, p, CollapseThresholds.DefinitionCoverage);
                    var s = Evaluate(calibration, t, CollapseVerdict.Collapsed);
                    if (best.Score is null || s.F(1) > best.Score.F(1) + 1e-12
                        || (Math.Abs(s.F(1) - best.Score.F(1)) < 1e-12 && MeanDelay(s) < MeanDelay(best.Score)))
                        best = (t, s);
                }
        var collapsed = best.Thresholds;
        var warning = diversities.Where(d => d >= collapsed.CollapsedDiversity)
            .Select(d => collapsed with { CollapsingDiversity = d })
            .MaxBy(t => Evaluate(calibration, t, CollapseVerdict.Collapsing).F(2))!;
        Console.WriteLine();
        Console.WriteLine($"chosen: CollapsedDiversity {warning.CollapsedDiversity:F2}, CollapsingDiversity {warning.CollapsingDiversity:F2}, SaturatedGap {(warning.SaturatedGap > 1 ? "off" : warning.SaturatedGap.ToString("F2", CultureInfo.InvariantCulture))}, Persistence {warning.Persistence}");
        Console.WriteLine();
        Console.WriteLine("| verdict rule | runs | TP | FP | FN | TN | precision | recall | detection delay, steps (negative = before the evaluation) | errors |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var (label, set) in new[] { ("calibration", calibration), ("held out", heldOut) })
            foreach (var (rule, level) in new[] { ("Collapsed (cheap signals)", CollapseVerdict.Collapsed), ("Collapsing or worse (cheap signals)", CollapseVerdict.Collapsing) })
            {
                var s = Evaluate(set, warning, level);
                Console.WriteLine($"| {rule}, {label} | {set.Count} | {s.TruePositives} | {s.FalsePositives} | {s.FalseNegatives} | {s.TrueNegatives} | {s.Precision:F3} | {s.Recall:F3} | {s.Delay} | {string.Join("; ", s.Errors)} |");
            }
        var diverged = runs.Where(r => r.Diverged).ToList();
        var divergedFlagged = diverged.Count(r => Replay(r, warning, withCoverage: false).Any(v => v.Verdict == CollapseVerdict.Diverged));
        Console.WriteLine($"| Diverged | {diverged.Count} | {divergedFlagged} | 0 | {diverged.Count - divergedFlagged} | - | - | - | at the first non-finite report | |");
        return 0;
    }

    private static double MeanDelay(Score s) => s.Delays.Count == 0 ? double.MaxValue : s.Delays.Average();

    private static long Median(IReadOnlyList<long> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    /// <summary>Run-level scoring: a run is flagged when the verdict reaches <paramref name="level"/> after warm-up.</summary>
    private static Score Evaluate(IReadOnlyList<CorpusRun> runs, CollapseThresholds thresholds, CollapseVerdict level)
    {
        int tp = 0, fp = 0, fn = 0, tn = 0;
        var delays = new List<long>();
        var errors = new List<string>();
        foreach (var run in runs)
        {
            var verdicts = Replay(run, thresholds, withCoverage: false).ToList();
            bool AtLevel((long Step, CollapseVerdict Verdict) v) => v.Verdict >= level && v.Verdict != CollapseVerdict.Diverged;
            var positive = AtLevel(verdicts[^1]);
            var start = verdicts.Count;
            while (start > 0 && AtLevel(verdicts[start - 1]))
                start--;
            switch (positive, run.Onset is not null)
            {
                case (true, true): tp++; delays.Add(verdicts[start].Step - run.Onset!.Value); break;
                case (true, false): fp++; errors.Add($"false alarm {run.Name}"); break;
                case (false, true): fn++; errors.Add($"missed {run.Name}"); break;
                default: tn++; break;
            }
        }
        return new Score(tp, fp, fn, tn, delays, errors);
    }

    private static IEnumerable<(long Step, CollapseVerdict Verdict)> Replay(CorpusRun run, CollapseThresholds thresholds, bool withCoverage)
    {
        var detector = new CollapseDetector(thresholds);
        foreach (var line in run.Lines)
            yield return (line.Step, detector.Observe(line.Report, withCoverage ? line.Coverage : null));
    }

    private static CorpusRun? Load(string directory)
    {
        var metrics = Path.Combine(directory, "metrics.jsonl");
        if (!File.Exists(metrics))
            return null;
        var name = Path.GetFileName(directory);
        var dash = name.LastIndexOf("-s", StringComparison.Ordinal);
        var lines = new List<Line>();
        foreach (var text in File.ReadLines(metrics))
        {
            var j = JsonDocument.Parse(text).RootElement;
            float F(string key) => j.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetSingle() : float.NaN;
            var step = j.GetProperty("step").GetInt64();
            var report = new StepReport(step, F("d_loss"), F("g_loss"), F("d_real"), F("d_fake"), F("d_grad_norm"), F("g_grad_norm"), F("diversity_ratio"));
            double? coverage = j.TryGetProperty("modes_reached", out var reached) ? reached.GetDouble() / j.GetProperty("modes").GetDouble() : null;
            lines.Add(new Line(step, report, coverage));
        }
        if (lines.Count == 0)
            return null;
        var diverged = lines.Any(l => !l.Report.IsFinite);
        if (!diverged && lines[^1].Step < FinishedSteps(directory))
            return null; // Still running, or killed: not part of the corpus.
        var evaluations = lines.Where(l => l.Coverage is not null).ToList();
        long? onset = null;
        for (var i = evaluations.Count - 1; i >= 0 && evaluations[i].Coverage < CollapseThresholds.DefinitionCoverage; i--)
            onset = evaluations[i].Step;
        return new CorpusRun(name, name[..dash], int.Parse(name[(dash + 2)..], CultureInfo.InvariantCulture), lines, onset, diverged);
    }

    /// <summary>The step count the run's spec asked for.</summary>
    private static long FinishedSteps(string directory)
    {
        var spec = GanCluster.Specs.RunSpecLoader.LoadFile(Path.Combine(directory, "spec.yaml"), []).Spec;
        return spec.Steps;
    }
}
