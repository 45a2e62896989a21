namespace GanCluster.Silo.Scheduling;

/// <summary>
/// A worker's ordinal: the number its id ends in (<c>gancluster-worker-12</c> is 12, as a StatefulSet names its
/// pods; <c>worker-3</c> from <c>gancluster up</c> is 3). Ids compare by their prefix, then by that number, so
/// worker-10 comes after worker-9.
/// </summary>
public static class WorkerOrdinal
{
    public static int? Of(string workerId)
    {
        var digits = workerId.Length;
        while (digits > 0 && char.IsAsciiDigit(workerId[digits - 1]))
            digits--;
        return digits < workerId.Length && workerId.Length - digits <= 9 ? int.Parse(workerId.AsSpan(digits)) : null;
    }

    public static readonly IComparer<string> Comparer = Comparer<string>.Create((a, b) =>
    {
        var (pa, pb) = (Prefix(a), Prefix(b));
        var byPrefix = string.CompareOrdinal(pa, pb);
        if (byPrefix != 0)
            return byPrefix;
        var byOrdinal = (Of(a) ?? -1).CompareTo(Of(b) ?? -1);
        return byOrdinal != 0 ? byOrdinal : string.CompareOrdinal(a, b);
    });

    private static string Prefix(string workerId) => Of(workerId) is null ? workerId : workerId.TrimEnd("0123456789".ToCharArray());
}
