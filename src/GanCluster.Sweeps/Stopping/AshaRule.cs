using System.Globalization;
using GanCluster.Specs.Sweeps;

namespace GanCluster.Sweeps.Stopping;

/// <summary>
/// Asynchronous successive halving (Li et al. 2018) as a stopping rule. Rungs sit at grace·η^k steps, below the
/// steps per trial. The first evaluation of a trial at or past a rung records the trial's score there (its best value
/// so far, or the mean of its last <see cref="AshaSearch.MeanOfLast"/> evaluations; NaN scores as the worst), and
/// the trial goes on only if that score is among the top ⌊n/η⌋ of the n scores recorded at the rung so far, itself
/// included, ties kept. While fewer than η scores are recorded there, it goes on.
/// </summary>
internal sealed class AshaRule
{
    private readonly AshaSearch _asha;
    private readonly SweepMetric _metric;
    private readonly long[] _rungs;
    private readonly List<double>[] _scores;
    private readonly Dictionary<int, int> _nextRung = [];
    private readonly Dictionary<int, string> _stopped = [];

    public AshaRule(AshaSearch asha, SweepMetric metric, long stepsPerTrial)
    {
        if (asha.GraceSteps <= 0)
            throw new ArgumentException($"asha: grace_steps must be positive, found {asha.GraceSteps}");
        if (!(asha.Eta > 1))
            throw new ArgumentException($"asha: eta must be above 1, found {asha.Eta}");
        if (asha.MeanOfLast is <= 0)
            throw new ArgumentException($"asha: mean_of_last must be positive, found {asha.MeanOfLast}");
        _asha = asha;
        _metric = metric;
        var rungs = new List<long>();
        for (var k = 0; ; k++)
        {
            var step = (long)Math.Round(asha.GraceSteps * Math.Pow(asha.Eta, k));
            if (step >= stepsPerTrial)
                break;
            rungs.Add(step);
        }
        _rungs = [.. rungs];
        _scores = [.. _rungs.Select(_ => new List<double>())];
    }

    /// <summary>The steps at which trials are compared.</summary>
    public IReadOnlyList<long> Rungs => _rungs;

    /// <summary>Decides after the trial's newest evaluation (already added to it) at <paramref name="step"/>.</summary>
    public TrialDecision Observe(TrialRecord trial, long step)
    {
        if (_stopped.TryGetValue(trial.Trial, out var reason))
            return new TrialDecision.Stop(reason);
        var k = _nextRung.GetValueOrDefault(trial.Trial);
        for (; k < _rungs.Length && step >= _rungs[k]; k++)
        {
            var score = Score(trial);
            var recorded = _scores[k];
            recorded.Add(score);
            _nextRung[trial.Trial] = k + 1;
            var keep = (int)Math.Floor(recorded.Count / _asha.Eta);
            if (keep == 0)
                continue;
            var cutoff = recorded.Order(Comparer<double>.Create((x, y) => _metric.IsBetter(x, y) ? -1 : _metric.IsBetter(y, x) ? 1 : 0)).ElementAt(keep - 1);
            if (_metric.IsBetter(cutoff, score))
            {
                reason = string.Create(CultureInfo.InvariantCulture,
                    $"asha: at the rung of step {_rungs[k]}, score {score:R} is not in the top {keep} of {recorded.Count} (cutoff {cutoff:R})");
                _stopped[trial.Trial] = reason;
                return new TrialDecision.Stop(reason);
            }
        }
        return new TrialDecision.Continue();
    }

    private double Score(TrialRecord trial)
    {
        double score;
        if (_asha.MeanOfLast is { } last)
        {
            var values = trial.Evaluations.TakeLast(last).Select(e => e.Value).ToList();
            score = values.Average();
        }
        else
            score = trial.Best?.Value ?? double.NaN;
        return double.IsNaN(score) ? _metric.Worst : score;
    }
}
