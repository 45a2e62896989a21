namespace GanCluster.Training.Health;

/// <summary>
/// One dimension of the verdict with hysteresis: a raw state replaces the adopted one at once when
/// <c>immediate</c> says so (a worse mode state, the first measurement), otherwise only after it has been
/// seen at <c>confirm</c> consecutive fresh observations. Saved in checkpoints, so a resumed run continues it.
/// </summary>
public sealed record Persisted<T>(T Value, T Candidate, int Count) where T : struct, Enum
{
    public static Persisted<T> Start(T value) => new(value, value, 0);

    public Persisted<T> Observe(T raw, bool fresh, int confirm, bool immediate)
    {
        if (EqualityComparer<T>.Default.Equals(raw, Value))
            return this with { Candidate = raw, Count = 0 };
        if (immediate)
            return new(raw, raw, 0);
        if (!fresh)
            return this;
        var count = EqualityComparer<T>.Default.Equals(raw, Candidate) ? Count + 1 : 1;
        return count >= confirm ? new(raw, raw, 0) : this with { Candidate = raw, Count = count };
    }
}
