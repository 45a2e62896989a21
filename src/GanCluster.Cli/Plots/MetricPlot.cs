using GanCluster.Training.Runtime;
using ScottPlot;

namespace GanCluster.Cli.Plots;

/// <summary>A run whose metrics are plotted, under the label its legend shows.</summary>
internal sealed record PlottedRun(string Label, MetricsHistory History);

/// <summary>
/// <c>gancluster plot</c>: one panel per metric, stacked, each with every run's curve against step. Where the metric is a
/// run's quality metric, a diamond marks the evaluation its best checkpoint was kept at; a Fréchet-distance panel also
/// draws the constant-image baseline (the distance of the best single image), the level a converging run must beat.
/// </summary>
internal static class MetricPlot
{
    private const int PanelHeight = 380;

    public static void Write(IReadOnlyList<PlottedRun> runs, IReadOnlyList<string> metrics, string path, int width = 1100) =>
        PngPanels.Write(path, width, metrics.Count * PanelHeight, metrics.Select((m, i) => (Panel(runs, m, width), 0, i * PanelHeight)));

    private static byte[] Panel(IReadOnlyList<PlottedRun> runs, string metric, int width)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (var r = 0; r < runs.Count; r++)
        {
            var (label, history) = (runs[r].Label, runs[r].History);
            var curve = history.Curve(metric);
            if (curve.Count == 0)
                continue;
            var color = palette.GetColor(r);
            var line = plot.Add.Scatter(curve.Select(p => (double)p.Step).ToArray(), curve.Select(p => p.Value).ToArray(), color);
            line.MarkerSize = curve.Count > 200 ? 0 : 5;
            line.LineWidth = 2;
            // A dashed second run over the first shows where two curves coincide (a reproduced run over its twin).
            if (r > 0)
                line.LinePattern = LinePattern.Dashed;
            line.LegendText = label;
            if (IsQualityMetric(history, metric) && history.LatestNumber("best_quality_step") is { } bestStep && history.LatestNumber("best_quality") is { } best)
                plot.Add.Marker(bestStep, best, MarkerShape.FilledDiamond, 12, color).LegendText = $"{label}: best {best:G4} at step {bestStep:0}";
            if (IsFrechetDistance(metric) && history.LatestNumber("fd_constant_baseline") is { } baseline && r == 0)
            {
                var level = plot.Add.HorizontalLine(baseline, 1, Colors.Gray, LinePattern.Dotted);
                level.LegendText = $"best constant image: {baseline:G4}";
            }
        }
        plot.Title($"{metric} against step");
        plot.XLabel("step");
        plot.YLabel(metric);
        plot.ShowLegend(Alignment.UpperRight);
        return plot.GetImageBytes(width, PanelHeight, ImageFormat.Png);
    }

    private static bool IsFrechetDistance(string metric) => metric == "fd" || (metric.StartsWith("fd_", StringComparison.Ordinal) && metric != "fd_constant_baseline");

    private static bool IsQualityMetric(MetricsHistory history, string metric) =>
        history.Latest("quality_metric") is { } quality && (quality == metric || (quality == "fd" && IsFrechetDistance(metric)));
}
