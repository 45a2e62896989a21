using GanCluster.Contracts.Control;
using GanCluster.Contracts.Grains;
using GanCluster.Contracts.Health;
using GanCluster.Specs;
using Health = GanCluster.Contracts.Control.Health;

namespace GanCluster.Silo.Api;

/// <summary>Grain snapshots as API messages: every typed field maps to a typed field, nothing goes through text.</summary>
public static class RunMessages
{
    public static Run From(RunSnapshot s) => From(s, withEvents: true);

    public static Run From(RunSnapshot s, bool withEvents)
    {
        var run = new Run
        {
            Id = s.Id, Name = s.Name, State = (RunState)(int)s.State, WorldSize = s.WorldSize, Priority = s.Priority,
            Step = s.Step, TotalSteps = s.TotalSteps, Error = s.Error ?? "", SubmittedUnixMs = s.SubmittedAt.ToUnixTimeMilliseconds(), Silo = s.Silo,
            Waiting = s.State == Contracts.RunState.Pending ? s.Waiting ?? "" : "",
            Health = s.LatestHealth is { } h ? From(h) : null,
            Checkpoint = s.LastCheckpoint is { } c ? new Checkpoint { Path = c.Path, Sha256 = c.Sha256, Step = c.Step } : null,
        };
        run.Workers.AddRange(s.Workers);
        if (withEvents)
            run.Events.AddRange(s.Events.Select(e => new RunEventMessage { UnixMs = e.At.ToUnixTimeMilliseconds(), Text = e.Text }));
        return run;
    }

    public static Health From(RunHealth h)
    {
        var health = new Health
        {
            Step = h.Step, DLoss = h.DiscriminatorLoss, GLoss = h.GeneratorLoss, DReal = h.DiscriminatorOnReal, DFake = h.DiscriminatorOnFake,
            DGradNorm = h.DiscriminatorGradNorm, GGradNorm = h.GeneratorGradNorm, DiversityRatio = h.DiversityRatio,
            DOscillation = From(h.DiscriminatorOscillation), GOscillation = From(h.GeneratorOscillation),
            StepsPerSecond = h.StepsPerSecond, Verdict = (Contracts.Control.HealthVerdict)(int)h.Verdict,
        };
        if (h.Dimensions is { } v)
        {
            health.Dimensions = new Contracts.Control.HealthDimensions
            {
                Summary = SpecName.Of(v.Summary), Modes = SpecName.Of(v.Modes), Trend = SpecName.Of(v.Trend), Convergence = SpecName.Of(v.Convergence),
                QualityMetric = v.QualityMetric, BestQualityStep = v.BestQualityStep, BestCheckpoint = v.BestCheckpoint ?? "",
            };
            if (v.BestQuality is { } best)
                health.Dimensions.BestQuality = best;
        }
        if (h.Mixture is { } m)
        {
            health.Mixture = new Contracts.Control.MixtureHealth
            {
                Modes = m.Modes, ModesCovered = m.ModesCovered, ModesReached = m.ModesReached, HighQualityFraction = m.HighQualityFraction,
            };
            if (m.ReverseKl is { } kl)
                health.Mixture.ReverseKl = kl;
        }
        if (h.Images is { } i)
        {
            health.Images = new Contracts.Control.ImageHealth
            {
                Extractor = i.Extractor, Classes = i.Classes, ClassesCovered = i.ClassesCovered, LabelEntropy = i.LabelEntropy,
                ClassifierScore = i.ClassifierScore, FrechetDistance = i.FrechetDistance, Kid = i.Kid, Precision = i.Precision, Recall = i.Recall,
                Density = i.Density, Coverage = i.Coverage,
            };
            if (i.LabelAgreement is { } agreement)
                health.Images.LabelAgreement = agreement;
        }
        return health;
    }

    public static Worker From(WorkerSnapshot w) => new()
    {
        Id = w.Descriptor.Id, Host = w.Descriptor.Host, Device = w.Descriptor.Device, Threads = w.Descriptor.Threads,
        RunId = w.RunId ?? "", Rank = w.Rank, LastHeartbeatUnixMs = w.LastHeartbeat.ToUnixTimeMilliseconds(),
    };

    private static Contracts.Control.LossOscillation From(Contracts.Health.LossOscillation o) => new()
    {
        CoefficientOfVariation = o.CoefficientOfVariation, PeriodSteps = o.PeriodSteps, Autocorrelation = o.Autocorrelation,
    };
}
