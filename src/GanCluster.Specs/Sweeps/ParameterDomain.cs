namespace GanCluster.Specs.Sweeps;

/// <summary>
/// The values a searched field may take. A value is applied as the override <c>PATH=VALUE</c>, so every value is
/// finally YAML text: <see cref="Format"/> writes numbers in the invariant culture, round-trippable.
/// </summary>
public abstract record ParameterDomain
{
    /// <summary>Whether a grid can enumerate it (a list or a choice); continuous domains are only sampled.</summary>
    public abstract bool IsFinite { get; }

    public static string Format(double value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    public static string Format(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A grid axis: <c>optimizers.g.lr: [1e-4, 2e-4]</c>; searches that sample (random, TPE, PBT) sample it as a choice. Values are YAML scalars as written.</summary>
public sealed record GridDomain(IReadOnlyList<string> Values) : ParameterDomain
{
    public override bool IsFinite => true;
}

/// <summary><c>{ choice: [a, b, c] }</c>: sampled uniformly by random search and TPE; enumerated by a grid.</summary>
public sealed record ChoiceDomain(IReadOnlyList<string> Values) : ParameterDomain
{
    public override bool IsFinite => true;
}

/// <summary><c>{ uniform: [low, high] }</c>, optionally rounded to a multiple of <see cref="Quantum"/> (<c>q: 0.05</c>).</summary>
public sealed record UniformDomain(double Low, double High, double? Quantum = null) : ParameterDomain
{
    public override bool IsFinite => false;
}

/// <summary><c>{ loguniform: [low, high] }</c> (both positive): uniform in log space, optionally quantised.</summary>
public sealed record LogUniformDomain(double Low, double High, double? Quantum = null) : ParameterDomain
{
    public override bool IsFinite => false;
}

/// <summary><c>{ int: [low, high] }</c>, both included, optionally a multiple of <see cref="Quantum"/>.</summary>
public sealed record IntDomain(long Low, long High, long? Quantum = null) : ParameterDomain
{
    public override bool IsFinite => false;
}
