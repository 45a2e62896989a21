using System.Globalization;
using GanCluster.Training.Health;

namespace GanCluster.Rank;

/// <summary>The one-line text of a health record, as a terminal, a rank log and a worker log show it.</summary>
public static class ReportLine
{
    public static string Format(HealthRecord record, long totalSteps)
    {
        var report = record.Report;
        var line = string.Create(CultureInfo.InvariantCulture,
            $"step {report.Step}/{totalSteps}  D {report.DiscriminatorLoss:F4}  G {report.GeneratorLoss:F4}  {record.StepsPerSecond:F1} steps/s");
        if (record.Mixture is { } m)
            line += string.Create(CultureInfo.InvariantCulture, $"  modes {m.ModesCovered}/{m.Modes}  HQ {m.HighQualityFraction:P1}");
        if (record.Images is { } i)
            line += string.Create(CultureInfo.InvariantCulture, $"  classes {i.Classes.ClassesCovered}/{i.Classes.Classes}  score {i.Classes.ClassifierScore:F2}  {i.FrechetDistanceName} {i.FrechetDistance:F3}");
        if (record.Verdict.Summary != HealthSummary.Healthy)
            line += $"  {RunVerdict.Name(record.Verdict.Summary).ToUpperInvariant()}";
        return line;
    }
}
