using GanCluster.Specs.Sweeps;
using GanCluster.Sweeps.Scoring;

namespace GanCluster.Sweeps;

/// <summary>What an algorithm knows of one trial: its configuration (raw and as text), its seed, its evaluations and how it ended.</summary>
internal sealed class TrialRecord(int trial, int configuration, IReadOnlyList<double> raw, long seed)
{
    private readonly List<MetricEvaluation> _evaluations = [];

    public int Trial => trial;

    public int Configuration => configuration;

    /// <summary>The configuration's raw values (see <see cref="Sampling.ParameterSpace"/>).</summary>
    public IReadOnlyList<double> Raw => raw;

    public long Seed => seed;

    public IReadOnlyList<MetricEvaluation> Evaluations => _evaluations;

    public TrialScore? Best { get; private set; }

    public TrialEnd? End { get; private set; }

    public void Add(long step, double value, SweepMetric metric)
    {
        _evaluations.Add(new MetricEvaluation(step, value));
        Best = SweepScoring.Best(_evaluations, metric);
    }

    public void Finish(TrialEnd end) => End ??= end;

    public TrialOutcome Outcome => new(trial, configuration, seed, End, Best);
}
