using GanCluster.Specs.Sweeps;
using GanCluster.Sweeps.Sampling;

namespace GanCluster.Sweeps.Population;

/// <summary>
/// Population-based training: a population of min(population_size, max_trials) trials with random configurations
/// (seeds in turn), judged at every multiple of interval_steps below the steps per trial by the value reported there
/// (a trial's current value, not its best: an exploit replaces its weights; NaN scores as the worst).
/// <para>
/// Asynchronous: a trial reaching a boundary is ranked at once against the newest boundary scores of the running
/// trials. Synchronous: it waits until every running trial has reached the boundary, and the whole generation is
/// decided together, so a sweep is the same whatever order the trials report in. Draws come from a generator seeded
/// by the sweep's seed and the boundary (and the trial, when asynchronous), never from the order of calls.
/// </para>
/// </summary>
internal sealed class PbtSweep(SweepSpec spec, ParameterSpace space, PbtSearch pbt) : ISweepAlgorithm
{
    private readonly PbtPolicy _policy = new(pbt, space, spec.Metric);
    private readonly SweepRandom _sampler = new(spec.Seed);
    private readonly List<TrialRecord> _trials = [];
    private readonly List<(int Index, IReadOnlyList<double> Raw)> _configurations = [];
    private readonly List<SortedDictionary<long, double>> _boundaryScores = [];
    private readonly Dictionary<int, long> _waiting = [];
    private readonly Dictionary<long, Dictionary<int, TrialDecision>> _generations = [];
    private int _configurationCount;

    private int PopulationSize => Math.Min(pbt.PopulationSize, spec.MaxTrials);

    public bool Finished => _trials.Count >= PopulationSize && _trials.All(t => t.End is not null);

    public TrialRequest? Next()
    {
        if (_trials.Count >= PopulationSize)
            return null;
        var raw = RandomSource.Sample(space, _sampler);
        var trial = new TrialRecord(_trials.Count, _configurationCount++, raw, spec.Seeds[_trials.Count % spec.Seeds.Count]);
        _trials.Add(trial);
        _configurations.Add((trial.Configuration, raw));
        _boundaryScores.Add([]);
        return new TrialRequest(trial.Trial, space.Describe(trial.Configuration, raw), trial.Seed);
    }

    public TrialDecision Observe(int trial, long step, double value)
    {
        var record = Trial(trial);
        if (record.End is { } end)
            return new TrialDecision.Stop($"trial {trial} has already ended ({end})");
        record.Add(step, value, spec.Metric);
        var generation = step / pbt.IntervalSteps;
        var scores = _boundaryScores[trial];
        if (generation == 0 || generation * pbt.IntervalSteps >= spec.StepsPerTrial || (scores.Count > 0 && generation <= scores.Keys.Last()))
            return _waiting.TryGetValue(trial, out var waitsAt) && !_generations.ContainsKey(waitsAt) ? new TrialDecision.Wait() : new TrialDecision.Continue();
        scores[generation] = double.IsNaN(value) ? spec.Metric.Worst : value;

        if (pbt.Synchronous)
        {
            _waiting[trial] = generation;
            TryDecide(generation);
            return Resume(trial) ?? new TrialDecision.Wait();
        }
        var members = Running().Where(t => _boundaryScores[t].Count > 0)
            .Select(t => new PbtMember(t, _boundaryScores[t].Values.Last(), _configurations[t].Raw))
            .ToList();
        var exploit = _policy.Decide(members, new SweepRandom(Mix(spec.Seed, generation, trial))).FirstOrDefault(e => e.Trial == trial);
        return exploit is null ? new TrialDecision.Continue() : Apply(exploit);
    }

    public TrialDecision? Resume(int trial) =>
        _waiting.TryGetValue(Trial(trial).Trial, out var generation) && _generations.TryGetValue(generation, out var decisions)
            ? decisions.GetValueOrDefault(trial) ?? new TrialDecision.Continue()
            : null;

    public void Ended(int trial, TrialEnd end)
    {
        Trial(trial).Finish(end);
        // A trial that ends may be the last one its generation waited for.
        foreach (var generation in _waiting.Values.Distinct().Order().ToList())
            TryDecide(generation);
    }

    private void TryDecide(long generation)
    {
        if (_generations.ContainsKey(generation) || _trials.Count < PopulationSize)
            return;
        var running = Running().ToList();
        if (running.Any(t => _boundaryScores[t].Count == 0 || _boundaryScores[t].Keys.Last() < generation))
            return;
        var members = running
            .Select(t => new PbtMember(t, _boundaryScores[t].First(s => s.Key >= generation).Value, _configurations[t].Raw))
            .ToList();
        var decisions = new Dictionary<int, TrialDecision>();
        foreach (var exploit in _policy.Decide(members, new SweepRandom(Mix(spec.Seed, generation, -1))))
            decisions[exploit.Trial] = Apply(exploit);
        _generations[generation] = decisions;
    }

    private TrialDecision.Exploit Apply(PbtExploit exploit)
    {
        var index = _configurationCount++;
        _configurations[exploit.Trial] = (index, exploit.Raw);
        return new TrialDecision.Exploit(exploit.SourceTrial, space.Describe(index, exploit.Raw));
    }

    private IEnumerable<int> Running() => _trials.Where(t => t.End is null).Select(t => t.Trial);

    private static long Mix(long seed, long generation, long trial) => unchecked((seed * 1_000_003 + generation) * 1_000_003 + trial);

    private TrialRecord Trial(int trial) =>
        trial >= 0 && trial < _trials.Count ? _trials[trial] : throw new ArgumentOutOfRangeException(nameof(trial), trial, $"no trial {trial}: {_trials.Count} created");
}
