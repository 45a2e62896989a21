using System.Text.Json;
using GanCluster.Specs;
using GanCluster.Specs.Sweeps;
using GanCluster.Training.Health;

namespace GanCluster.Training.Runtime;

/// <summary>One value of a metric at a step.</summary>
public readonly record struct MetricPoint(long Step, double Value);

/// <summary>
/// A run's <c>metrics.jsonl</c> read back, for plots: the records of its lowest rank (rank 0 of a data-parallel run, whose
/// records are the run's), one per step (the last written wins, as a resumed run rewrites the steps after its checkpoint).
/// Lines that are not records (torn by a crash) are skipped. Every record after an evaluation repeats its numbers, so a
/// curve of an evaluated metric keeps the evaluation steps of the run's spec.yaml only.
/// </summary>
public sealed class MetricsHistory
{
    private readonly IReadOnlyList<JsonElement> _records;
    private readonly RunSpec? _spec;

    private MetricsHistory(IReadOnlyList<JsonElement> records, RunSpec? spec) => (_records, _spec) = (records, spec);

    public static MetricsHistory Read(RunDirectory run)
    {
        if (!File.Exists(run.MetricsFile))
            throw new FileNotFoundException($"{run.Root} has no metrics.jsonl: not a run folder, or the run has not reported yet", run.MetricsFile);
        var records = new List<(long Step, int Rank, JsonElement Record)>();
        foreach (var line in File.ReadLines(run.MetricsFile))
        {
            try
            {
                var record = JsonDocument.Parse(line).RootElement;
                if (record.ValueKind == JsonValueKind.Object && record.TryGetProperty("step", out var step) && step.TryGetInt64(out var s))
                    records.Add((s, record.TryGetProperty("rank", out var rank) && rank.TryGetInt32(out var r) ? r : 0, record));
            }
            catch (JsonException)
            {
                // A line torn by a crash: the rest of the file is still the run's.
            }
        }
        var lowest = records.Count == 0 ? 0 : records.Min(r => r.Rank);
        return new MetricsHistory([.. records.Where(r => r.Rank == lowest).GroupBy(r => r.Step).Select(g => g.Last()).OrderBy(r => r.Step).Select(r => r.Record)], SpecOf(run));
    }

    private static RunSpec? SpecOf(RunDirectory run)
    {
        try
        {
            return File.Exists(run.SpecFile) ? RunSpecLoader.LoadFile(run.SpecFile).Spec : null;
        }
        catch (SpecException)
        {
            return null;   // a folder copied without a readable spec: every record's value is kept
        }
    }

    /// <summary>Whether the metric comes from the periodic evaluation, not from every report.</summary>
    private static bool IsEvaluated(string metric) =>
        SweepMetric.ImageMetrics.Contains(metric) || SweepMetric.MixtureMetrics.Contains(metric) || metric.StartsWith("fd_", StringComparison.Ordinal);

    /// <summary>The numeric metrics the records carry, by their metrics.jsonl names.</summary>
    public IReadOnlyList<string> Metrics() =>
        [.. _records.SelectMany(r => r.EnumerateObject()).Where(p => p.Value.ValueKind == JsonValueKind.Number && p.Name is not "step" and not "rank").Select(p => p.Name).Distinct().Order(StringComparer.Ordinal)];

    /// <summary>Every finite value of <paramref name="metric"/> (<c>fd</c>: the run's Fréchet distance, whatever its extractor) against step.</summary>
    public IReadOnlyList<MetricPoint> Curve(string metric)
    {
        var points = new List<MetricPoint>();
        var evaluated = _spec is { } spec && IsEvaluated(metric);
        foreach (var record in _records)
        {
            if (evaluated && !TrainingLoop.IsEvaluationStep(_spec!, record.GetProperty("step").GetInt64(), _spec!.Steps))
                continue;
            var key = HealthRecordJson.KeyOf(record.EnumerateObject().Select(p => p.Name), metric);
            if (key is not null && record.GetProperty(key) is { ValueKind: JsonValueKind.Number } value && value.GetDouble() is var v && double.IsFinite(v))
                points.Add(new MetricPoint(record.GetProperty("step").GetInt64(), v));
        }
        return points;
    }

    /// <summary>The newest string value of a field (e.g. <c>quality_metric</c>), or null.</summary>
    public string? Latest(string field) =>
        _records.Reverse().Select(r => r.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null).FirstOrDefault(v => v is not null);

    /// <summary>The newest numeric value of a field (e.g. <c>best_quality_step</c>), or null.</summary>
    public double? LatestNumber(string field) =>
        _records.Reverse().Select(r => r.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : (double?)null).FirstOrDefault(v => v is not null);
}
