using GanCluster.Training.Trainer;

namespace GanCluster.Training.Health;

/// <summary>Turns a run's reports into health records: oscillation windows per loss, divergence, the latest evaluation.</summary>
public sealed class HealthMonitor(string run, int rank, int window, long reportEvery)
{
    private readonly OscillationIndex _discriminator = new(window, reportEvery);
    private readonly OscillationIndex _generator = new(window, reportEvery);

    public HealthRecord? Latest { get; private set; }
    public MixtureQuality? LatestMixture { get; set; }

    public HealthRecord Observe(StepReport report, double stepsPerSecond)
    {
        var diverged = !report.IsFinite;
        var d = diverged ? default : _discriminator.Add(report.DiscriminatorLoss);
        var g = diverged ? default : _generator.Add(report.GeneratorLoss);
        Latest = new HealthRecord(run, rank, report, d, g, stepsPerSecond, LatestMixture, diverged);
        return Latest;
    }
}
