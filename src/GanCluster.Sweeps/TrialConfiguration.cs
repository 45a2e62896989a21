namespace GanCluster.Sweeps;

/// <summary>
/// One point of the search space, numbered in creation order: for each searched path, the YAML scalar text of its
/// value (written with <see cref="GanCluster.Specs.Sweeps.ParameterDomain.Format(double)"/>), in the spec's parameter order.
/// </summary>
public sealed record TrialConfiguration(int Index, IReadOnlyDictionary<string, string> Values)
{
    /// <summary>The values as run-spec overrides, <c>PATH=VALUE</c>, in parameter order.</summary>
    public IReadOnlyList<string> Overrides => [.. Values.Select(v => $"{v.Key}={v.Value}")];
}
