using System.Text.RegularExpressions;

namespace GanCluster.Contracts.Grains;

/// <summary>A checkpoint as every hop names it: where it is, its SHA-256 (verified before a resume trains), and its step.</summary>
[GenerateSerializer, Immutable, Alias("gancluster.CheckpointRef")]
public sealed partial record CheckpointRef(
    [property: Id(0)] string Path,
    [property: Id(1)] string Sha256,
    [property: Id(2)] long Step)
{
    [GeneratedRegex("^[0-9a-f]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Digest();

    [GeneratedRegex("^step-[0-9]{8,}\\.gck$", RegexOptions.CultureInvariant)]
    private static partial Regex FileName();

    /// <summary>
    /// Why this reference cannot be one of run <paramref name="runId"/>'s checkpoints, or null. Wherever the store
    /// is mounted, a run's checkpoints are <c>STORE/RUN/checkpoints/step-NNNNNNNN.gck</c>: an absolute, normalised
    /// path whose last three parts are exactly those, with a SHA-256 digest and a step that is not negative.
    /// </summary>
    public string? Problem(string runId)
    {
        if (Step < 0)
            return $"step {Step} is negative";
        if (!Digest().IsMatch(Sha256 ?? ""))
            return "its SHA-256 is not 64 lower-case hex digits";
        if (string.IsNullOrEmpty(Path) || !System.IO.Path.IsPathFullyQualified(Path) || System.IO.Path.GetFullPath(Path) != Path || Path.Contains('\0'))
            return $"'{Path}' is not an absolute, normalised path";
        var file = System.IO.Path.GetFileName(Path);
        var folder = System.IO.Path.GetDirectoryName(Path);
        var run = System.IO.Path.GetDirectoryName(folder);
        if (!FileName().IsMatch(file) || System.IO.Path.GetFileName(folder) != "checkpoints" || System.IO.Path.GetFileName(run) != runId)
            return $"'{Path}' is not in run {runId}'s checkpoint folder (STORE/{runId}/checkpoints/step-N.gck)";
        return null;
    }

    /// <summary>Whether the checkpoint lies in <paramref name="runFolder"/>'s <c>checkpoints</c> folder, as a worker checks before it loads one.</summary>
    public bool IsInside(string runFolder) =>
        Problem(System.IO.Path.GetFileName(System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(runFolder)))) is null
        && string.Equals(System.IO.Path.GetDirectoryName(Path), System.IO.Path.Combine(System.IO.Path.GetFullPath(runFolder), "checkpoints"), StringComparison.Ordinal);
}
