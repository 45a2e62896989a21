using GanCluster.Specs.Sweeps;
using GanCluster.Sweeps.Sampling;
using GanCluster.Sweeps.Stopping;

namespace GanCluster.Sweeps;

/// <summary>
/// The one sweep state machine behind every algorithm: configurations from a source (grid, random or TPE), each
/// handed out once per seed (seeds the inner loop) up to max_trials, and optionally a stopping rule (ASHA) that
/// judges each evaluation.
/// </summary>
internal sealed class SearchSweep(SweepSpec spec, ParameterSpace space, IConfigurationSource source, AshaRule? stopping) : ISweepAlgorithm
{
    private readonly List<TrialRecord> _trials = [];
    private IReadOnlyList<double>? _current;
    private int _configurations;
    private int _nextSeed;

    private bool SeedsLeft => _current is not null && _nextSeed < spec.Seeds.Count;

    public bool Finished =>
        (_trials.Count >= spec.MaxTrials || (source.Exhausted && !SeedsLeft)) && _trials.All(t => t.End is not null);

    public TrialRequest? Next()
    {
        if (_trials.Count >= spec.MaxTrials)
            return null;
        if (!SeedsLeft)
        {
            if (source.Next(_trials) is not { } raw)
                return null;
            _current = raw;
            _configurations++;
            _nextSeed = 0;
        }
        var trial = new TrialRecord(_trials.Count, _configurations - 1, _current!, spec.Seeds[_nextSeed++]);
        _trials.Add(trial);
        return new TrialRequest(trial.Trial, space.Describe(trial.Configuration, trial.Raw), trial.Seed);
    }

    public TrialDecision Observe(int trial, long step, double value)
    {
        var record = Trial(trial);
        if (record.End is { } end)
            return new TrialDecision.Stop($"trial {trial} has already ended ({end})");
        record.Add(step, value, spec.Metric);
        return stopping?.Observe(record, step) ?? new TrialDecision.Continue();
    }

    public void Ended(int trial, TrialEnd end) => Trial(trial).Finish(end);

    private TrialRecord Trial(int trial) =>
        trial >= 0 && trial < _trials.Count ? _trials[trial] : throw new ArgumentOutOfRangeException(nameof(trial), trial, $"no trial {trial}: {_trials.Count} created");
}
