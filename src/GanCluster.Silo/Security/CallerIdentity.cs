namespace GanCluster.Silo.Security;

/// <summary>Who made the grain call being served: the silos' own code, the API, or one authenticated worker.</summary>
public sealed record CallerIdentity(CallerKind Kind, string? WorkerId = null)
{
    private static readonly AsyncLocal<CallerIdentity?> Verified = new();

    public static readonly CallerIdentity Internal = new(CallerKind.Internal);
    public static readonly CallerIdentity Api = new(CallerKind.Api);

    /// <summary>
    /// The caller of the current grain call, as <see cref="CallerAuthentication"/> verified it; nothing a caller
    /// sends can set it. Code that runs outside any grain call (a timer, a reminder) acts for the silo.
    /// </summary>
    public static CallerIdentity Current
    {
        get => Verified.Value ?? Internal;
        internal set => Verified.Value = value;
    }

    /// <summary>Submitting, cancelling and listing are for the API (and the silos' own grains) alone.</summary>
    public void RequireControl(string action)
    {
        if (Kind == CallerKind.Worker)
            throw Refused(action);
    }

    /// <summary>Calls only the scheduler and the runs make among themselves.</summary>
    public void RequireInternal(string action)
    {
        if (Kind != CallerKind.Internal)
            throw Refused(action);
    }

    /// <summary>A worker may act only as itself; the silos' own grains may act for any.</summary>
    public void RequireWorker(string? workerId, string action)
    {
        if (Kind == CallerKind.Internal || (Kind == CallerKind.Worker && WorkerId == workerId))
            return;
        throw Refused(action);
    }

    public UnauthorizedAccessException Refused(string action) => new($"{this} may not {action}");

    public override string ToString() => Kind switch
    {
        CallerKind.Worker => $"worker {WorkerId}",
        CallerKind.Api => "the API",
        _ => "the silo",
    };
}

public enum CallerKind
{
    Internal,
    Api,
    Worker,
}
