using System.Globalization;
using GanCluster.Training.Evaluation;

namespace GanCluster.Training.Health;

/// <summary>The flat JSON line of metrics.jsonl for one health record (non-finite values become null).</summary>
public static class HealthRecordJson
{
    public static Dictionary<string, object?> From(HealthRecord r)
    {
        static double? F(double v) => double.IsFinite(v) ? Math.Round(v, 6) : null;
        var line = new Dictionary<string, object?>
        {
            ["run"] = r.Run,
            ["rank"] = r.Rank,
            ["step"] = r.Report.Step,
            ["d_loss"] = F(r.Report.DiscriminatorLoss),
            ["g_loss"] = F(r.Report.GeneratorLoss),
            ["d_real"] = F(r.Report.DiscriminatorOnReal),
            ["d_fake"] = F(r.Report.DiscriminatorOnFake),
            ["d_grad_norm"] = F(r.Report.DiscriminatorGradNorm),
            ["g_grad_norm"] = F(r.Report.GeneratorGradNorm),
            ["diversity_ratio"] = F(r.Report.DiversityRatio),
            ["d_loss_cv"] = F(r.DiscriminatorLossOscillation.CoefficientOfVariation),
            ["d_loss_period_steps"] = F(r.DiscriminatorLossOscillation.PeriodSteps),
            ["g_loss_cv"] = F(r.GeneratorLossOscillation.CoefficientOfVariation),
            ["g_loss_period_steps"] = F(r.GeneratorLossOscillation.PeriodSteps),
            ["steps_per_second"] = F(r.StepsPerSecond),
            ["diverged"] = r.Diverged,
            ["verdict"] = RunVerdict.Name(r.Verdict.Summary),
            ["modes_health"] = RunVerdict.Name(r.Verdict.Modes),
            ["quality_trend"] = RunVerdict.Name(r.Verdict.Trend),
            ["convergence"] = RunVerdict.Name(r.Verdict.Convergence),
        };
        if (r.Quality is { } q)
        {
            line["quality_metric"] = q.Metric;
            line["best_quality"] = F(q.Best);
            line["best_quality_step"] = q.BestStep;
        }
        if (r.BestCheckpoint is { } best)
            line["best_checkpoint"] = Path.GetFileName(best);
        if (r.Mixture is { } m)
        {
            line["modes_covered"] = m.ModesCovered;
            line["modes"] = m.Modes;
            line["modes_reached"] = m.ModesReached;
            line["high_quality_fraction"] = F(m.HighQualityFraction);
            line["balanced_quality_fraction"] = F(m.BalancedQualityFraction);
            line["reverse_kl"] = m.ReverseKl is { } kl ? F(kl) : null;
        }
        if (r.Images is { } i)
            AddImageQuality(line, i);
        return line;
    }

    /// <summary>The image metrics under their JSON names; <c>evaluate --output json</c> uses the same names.</summary>
    public static void AddImageQuality(IDictionary<string, object?> line, ImageQuality i)
    {
        static double? F(double v) => double.IsFinite(v) ? Math.Round(v, 6) : null;
        line["classes_covered"] = i.Classes.ClassesCovered;
        line["classes"] = i.Classes.Classes;
        line["label_entropy"] = F(i.Classes.LabelEntropy);
        line["classifier_score"] = F(i.Classes.ClassifierScore);
        if (i.Classes.LabelAgreement is { } agreement)
            line["label_agreement"] = F(agreement);
        line[i.FrechetDistanceName] = F(i.FrechetDistance);
        line["kid"] = F(i.Kid);
        line["precision"] = F(i.Neighbourhood.Precision);
        line["recall"] = F(i.Neighbourhood.Recall);
        line["density"] = F(i.Neighbourhood.Density);
        line["coverage"] = F(i.Neighbourhood.Coverage);
        if (i.ConstantBaseline is { } baseline)
            line["fd_constant_baseline"] = F(baseline);
    }

    /// <summary>A value of the record by its metrics.jsonl name (<c>fd</c> is any <c>fd_EXTRACTOR</c>); null when absent or not finite.</summary>
    public static double? Value(HealthRecord record, string metric)
    {
        var line = From(record);
        var key = KeyOf(line.Keys, metric);
        return key is not null && line.TryGetValue(key, out var value) && value is IConvertible number and not string && number.ToDouble(CultureInfo.InvariantCulture) is var v && double.IsFinite(v) ? v : null;
    }

    /// <summary>
    /// The field that holds <paramref name="metric"/> among a line's <paramref name="keys"/>: the name itself, except
    /// <c>fd</c>, which is the line's <c>fd_EXTRACTOR</c> (not its constant-image baseline). Null when absent.
    /// </summary>
    public static string? KeyOf(IEnumerable<string> keys, string metric) =>
        metric == "fd"
            ? keys.FirstOrDefault(k => k.StartsWith("fd_", StringComparison.Ordinal) && k != "fd_constant_baseline")
            : keys.Contains(metric) ? metric : null;
}
