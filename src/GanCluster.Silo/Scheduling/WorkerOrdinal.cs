namespace GanCluster.Silo.Scheduling;

/// <summary>
/// A worker's ordinal: the number its id ends in (<c>gancluster-worker-12</c> is 12, as a StatefulSet names its
/// pods; <c>worker-3</c> from <c>gancluster up</c> is 3). Ids compare by their prefix, then by that number, so
/// worker-10 comes after worker-9.
/// </summary>
public static class WorkerOrdinal
{
    public static int? Of(string workerId) => Split(workerId).Ordinal;

    public static readonly IComparer<string> Comparer = Comparer<string>.Create((a, b) =>
    {
        var (x, y) = (Split(a), Split(b));
        var byPrefix = string.CompareOrdinal(x.Prefix, y.Prefix);
        if (byPrefix != 0)
            return byPrefix;
        var byOrdinal = (x.Ordinal ?? -1).CompareTo(y.Ordinal ?? -1);
        return byOrdinal != 0 ? byOrdinal : string.CompareOrdinal(a, b);
    });

    /// <summary>The id's prefix and the number it ends in (at most 9 digits), or the whole id and null.</summary>
    private static (string Prefix, int? Ordinal) Split(string workerId)
    {
        var digits = workerId.Length;
        while (digits > 0 && char.IsAsciiDigit(workerId[digits - 1]))
            digits--;
        return digits < workerId.Length && workerId.Length - digits <= 9 ? (workerId[..digits], int.Parse(workerId.AsSpan(digits))) : (workerId, null);
    }
}
