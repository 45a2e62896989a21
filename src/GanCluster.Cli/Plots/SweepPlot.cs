using System.Globalization;
using GanCluster.Contracts.Control;
using ScottPlot;

namespace GanCluster.Cli.Plots;

/// <summary>
/// <c>sweep plot</c>: one PNG with the metric against steps for every trial (colour by configuration, a cross
/// where the sweep stopped a trial, a star at its best evaluation), and below it the score of every trial against
/// each searched parameter (log scale for a wide positive range, categories for words).
/// </summary>
internal static class SweepPlot
{
    private const int CurveHeight = 520;
    private const int ParameterHeight = 360;

    public static void Write(Sweep sweep, string path, int width = 1200)
    {
        var parameters = sweep.Trials.SelectMany(t => t.Values.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        var perRow = Math.Min(3, Math.Max(1, parameters.Count));
        var rows = parameters.Chunk(perRow).ToList();
        var panels = new List<(byte[], int, int)> { (Curves(sweep, width), 0, 0) };
        for (var r = 0; r < rows.Count; r++)
            for (var c = 0; c < rows[r].Length; c++)
                panels.Add((Parameter(sweep, rows[r][c], width / perRow), c * (width / perRow), CurveHeight + r * ParameterHeight));
        PngPanels.Write(path, width, CurveHeight + rows.Count * ParameterHeight, panels);
    }

    private static byte[] Curves(Sweep sweep, int width)
    {
        var plot = new Plot();
        foreach (var trial in sweep.Trials.Where(t => t.Curve.Count > 0))
        {
            // A PBT trial changes configuration at each exploit: it keeps one colour, its own.
            var color = Colour(trial.Lineage.Count > 0 ? trial.Number : trial.Configuration);
            var xs = trial.Curve.Select(p => (double)p.Step).ToArray();
            var ys = trial.Curve.Select(p => p.Value).ToArray();
            var line = plot.Add.Scatter(xs, ys, color);
            line.MarkerSize = 4;
            if (sweep.Trials.Count <= 16)
                line.LegendText = $"t{trial.Number} c{trial.Configuration} s{trial.Seed}";
            if (trial.HasBest)
                plot.Add.Marker(trial.BestStep, trial.Best, MarkerShape.FilledDiamond, 9, color);
            if (trial.Stopped.Length > 0)
                plot.Add.Marker(xs[^1], ys[^1], MarkerShape.Eks, 14, Colors.Red);
            // A PBT exploit: where the trial took another's state, marked on the donor's value there.
            foreach (var exploit in trial.Lineage.Where(g => g.HasSourceTrial))
            {
                var donor = sweep.Trials.FirstOrDefault(t => t.Number == exploit.SourceTrial)?.Curve.LastOrDefault(p => p.Step <= exploit.FromStep);
                if (donor is not null)
                    plot.Add.Marker(exploit.FromStep, donor.Value, MarkerShape.FilledTriangleUp, 11, color);
            }
        }
        var exploits = sweep.Trials.Any(t => t.Lineage.Any(g => g.HasSourceTrial));
        plot.Title($"{sweep.Name} ({sweep.Algorithm}): {sweep.Metric} against step, {(sweep.Maximise ? "higher" : "lower")} is better; ◆ best, × stopped{(exploits ? ", ▲ exploit" : "")}");
        plot.XLabel("step");
        plot.YLabel(sweep.Metric);
        if (sweep.Trials.Count <= 16)
            plot.ShowLegend(Alignment.LowerRight);
        return plot.GetImageBytes(width, CurveHeight, ImageFormat.Png);
    }

    private static byte[] Parameter(Sweep sweep, string parameter, int width)
    {
        var plot = new Plot();
        var scored = sweep.Trials.Where(t => t.HasBest && t.Values.ContainsKey(parameter)).ToList();
        var numbers = scored.Select(t => double.TryParse(t.Values[parameter], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN).ToList();
        if (numbers.Count > 0 && numbers.All(double.IsFinite))
        {
            var log = numbers.All(v => v > 0) && numbers.Max() / numbers.Min() > 20;
            for (var i = 0; i < scored.Count; i++)
                plot.Add.Marker(log ? Math.Log10(numbers[i]) : numbers[i], scored[i].Best, MarkerShape.FilledCircle, 8, Colour(scored[i].Configuration));
            plot.XLabel(log ? $"log10 {parameter}" : parameter);
        }
        else
        {
            var categories = scored.Select(t => t.Values[parameter]).Distinct().Order(StringComparer.Ordinal).ToList();
            foreach (var t in scored)
                plot.Add.Marker(categories.IndexOf(t.Values[parameter]), t.Best, MarkerShape.FilledCircle, 8, Colour(t.Configuration));
            plot.Axes.Bottom.SetTicks([.. categories.Select((_, i) => (double)i)], [.. categories]);
            plot.Axes.Margins(horizontal: 0.25, vertical: 0.1);
            plot.XLabel(parameter);
        }
        plot.YLabel($"best {sweep.Metric}");
        plot.Title($"score against {parameter}");
        return plot.GetImageBytes(width, ParameterHeight, ImageFormat.Png);
    }

    private static readonly ScottPlot.Palettes.Category10 Palette = new();

    /// <summary>A configuration's colour: Category10 without its red, which marks the stops.</summary>
    private static Color Colour(int configuration) => Palette.GetColor(configuration % 9 >= 3 ? configuration % 9 + 1 : configuration % 9);
}
