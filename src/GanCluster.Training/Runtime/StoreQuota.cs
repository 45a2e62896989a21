namespace GanCluster.Training.Runtime;

/// <summary>Raised before a checkpoint would take a group of runs (a sweep's trials) past their share of the store.</summary>
public sealed class StoreQuotaException(string message) : Exception(message);

/// <summary>
/// A disk quota over every run folder in <paramref name="Store"/> whose name starts with <paramref name="Prefix"/>
/// (a sweep's trials are <c>SWEEP-tNNNN…</c>): a checkpoint that would take their files past
/// <paramref name="Bytes"/> is not written, and the run fails saying so, instead of the disk filling.
/// </summary>
public sealed record StoreQuota(string Store, string Prefix, long Bytes, string Owner)
{
    /// <summary>The bytes the group's folders hold now.</summary>
    public long Used() =>
        !Directory.Exists(Store) ? 0 : Directory.EnumerateDirectories(Store, Prefix + "*")
            .SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories))
            .Sum(f => { try { return new FileInfo(f).Length; } catch (IOException) { return 0L; } });

    /// <summary>Throws when a file of about <paramref name="nextBytes"/> would not fit.</summary>
    public void Require(long nextBytes, string what)
    {
        var used = Used();
        if (used + nextBytes > Bytes)
            throw new StoreQuotaException($"{Owner}'s runs hold {used / 1048576.0:F1} MB of the store and {what} needs about {nextBytes / 1048576.0:F1} MB more, past its disk quota of {Bytes / 1048576.0:F0} MB (disk_quota_mb); not written");
    }
}
