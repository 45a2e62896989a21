using System.Globalization;
using GanCluster.Rank.Launch;
using GanCluster.Training.Runtime;

namespace GanCluster.Rank;

/// <summary>How a rank's training ended, and what it cost: wall time, time in collectives, garbage collection.</summary>
public sealed record RankResult(
    LoopOutcome Outcome,
    int Rank,
    long FromStep,
    long Step,
    TimeSpan Elapsed,
    IReadOnlyDictionary<string, TimeSpan> Collectives,
    string? ParameterDigest,
    (int Gen0, int Gen1, int Gen2, TimeSpan Paused) Collections,
    string? GradientBuckets = null)
{
    public long Steps => Step - FromStep;

    /// <summary>The lines every rank prints at the end; the launcher reads the digest line to check the ranks agree.</summary>
    public IEnumerable<string> SummaryLines()
    {
        var seconds = Math.Max(Elapsed.TotalSeconds, 1e-9);
        var collectives = Collectives.Values.Aggregate(TimeSpan.Zero, (a, b) => a + b).TotalSeconds;
        yield return string.Create(CultureInfo.InvariantCulture,
            $"timing: {Steps} steps in {seconds:0.000} s ({Steps / seconds:0.000} steps/s), collectives {collectives:0.000} s ({100 * collectives / seconds:0.0}% of the time); GC: {Collections.Gen0}/{Collections.Gen1}/{Collections.Gen2} collections (gen 0/1/2), {Collections.Paused.TotalMilliseconds:0} ms paused");
        if (ParameterDigest is null)
            yield break;
        yield return "collectives per step: " + string.Join(", ", Collectives.Select(c =>
            string.Create(CultureInfo.InvariantCulture, $"{c.Key} {c.Value.TotalMilliseconds / Math.Max(1, Steps):0.00} ms")));
        if (GradientBuckets is not null)
            yield return "gradient buckets: " + GradientBuckets;
        yield return $"{LocalLauncher.DigestPrefix}{ParameterDigest} (rank {Rank}, step {Step})";
    }
}
