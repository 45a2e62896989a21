using GanCluster.Contracts.Health;
using GanCluster.Training.Health;
using Oscillation = GanCluster.Training.Health.Oscillation;

namespace GanCluster.Worker;

/// <summary>A rank's health record as it travels to the run's grain: every field typed, nothing through text.</summary>
public static class WireHealth
{
    public static RunHealth From(HealthRecord r) => new(
        r.Report.Step,
        r.Report.DiscriminatorLoss,
        r.Report.GeneratorLoss,
        r.Report.DiscriminatorOnReal,
        r.Report.DiscriminatorOnFake,
        r.Report.DiscriminatorGradNorm,
        r.Report.GeneratorGradNorm,
        r.Report.DiversityRatio,
        From(r.DiscriminatorLossOscillation),
        From(r.GeneratorLossOscillation),
        r.StepsPerSecond,
        (HealthVerdict)(int)r.Verdict.Collapse,
        r.Mixture is { } m ? new MixtureHealth(m.Modes, m.ModesCovered, m.ModesReached, m.HighQualityFraction, m.ReverseKl) : null,
        r.Images is { } i
            ? new ImageHealth(i.Extractor, i.Classes.Classes, i.Classes.ClassesCovered, i.Classes.LabelEntropy, i.Classes.ClassifierScore, i.Classes.LabelAgreement,
                i.FrechetDistance, i.Kid, i.Neighbourhood.Precision, i.Neighbourhood.Recall, i.Neighbourhood.Density, i.Neighbourhood.Coverage)
            : null)
    {
        Dimensions = new HealthDimensions((Contracts.Health.HealthSummary)(int)r.Verdict.Summary, (Contracts.Health.ModeHealth)(int)r.Verdict.Modes,
            (Contracts.Health.QualityTrend)(int)r.Verdict.Trend, (Contracts.Health.Convergence)(int)r.Verdict.Convergence,
            r.Quality?.Metric ?? "", r.Quality?.Best, r.Quality?.BestStep ?? 0, r.BestCheckpoint),
    };

    private static LossOscillation From(Oscillation o) => new(o.CoefficientOfVariation, o.PeriodSteps, o.Autocorrelation);
}
