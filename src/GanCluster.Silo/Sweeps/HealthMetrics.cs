using GanCluster.Contracts.Health;
using GanCluster.Specs.Sweeps;

namespace GanCluster.Silo.Sweeps;

/// <summary>Reads a sweep metric (<see cref="SweepMetric.Known"/>, by its name in metrics.jsonl) from a health record; null when the record lacks it.</summary>
public static class HealthMetrics
{
    public static double? Read(RunHealth h, string name) => name switch
    {
        "fd" => h.Images?.FrechetDistance,
        "kid" => h.Images?.Kid,
        "classifier_score" => h.Images?.ClassifierScore,
        "precision" => h.Images?.Precision,
        "recall" => h.Images?.Recall,
        "density" => h.Images?.Density,
        "coverage" => h.Images?.Coverage,
        "classes_covered" => h.Images?.ClassesCovered,
        "label_entropy" => h.Images?.LabelEntropy,
        "label_agreement" => h.Images?.LabelAgreement,
        "modes_covered" => h.Mixture?.ModesCovered,
        "modes_reached" => h.Mixture?.ModesReached,
        "high_quality_fraction" => h.Mixture?.HighQualityFraction,
        "reverse_kl" => h.Mixture?.ReverseKl,
        "d_loss" => h.DiscriminatorLoss,
        "g_loss" => h.GeneratorLoss,
        "d_real" => h.DiscriminatorOnReal,
        "d_fake" => h.DiscriminatorOnFake,
        "diversity_ratio" => h.DiversityRatio,
        _ when name.StartsWith("fd_", StringComparison.Ordinal) => h.Images?.FrechetDistance,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, $"not a sweep metric (known: {string.Join(", ", SweepMetric.Known)})"),
    };
}
