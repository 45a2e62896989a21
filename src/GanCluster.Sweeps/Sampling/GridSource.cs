namespace GanCluster.Sweeps.Sampling;

/// <summary>Every combination of the axes in file order: the first axis changes slowest, the last fastest.</summary>
internal sealed class GridSource : IConfigurationSource
{
    private readonly int[] _sizes;
    private readonly long _count;
    private long _next;

    public GridSource(ParameterSpace space)
    {
        _sizes = new int[space.Count];
        _count = 1;
        for (var i = 0; i < space.Count; i++)
        {
            if (!ParameterSpace.IsCategorical(space[i].Domain))
                throw new ArgumentException($"grid search: parameter '{space[i].Path}' is {space[i].Domain.GetType().Name}, which a grid cannot enumerate (use a list or a choice, or random search)");
            _sizes[i] = ParameterSpace.Choices(space[i].Domain).Count;
            _count = checked(_count * _sizes[i]);
        }
    }

    public bool Exhausted => _next >= _count;

    public IReadOnlyList<double>? Next(IReadOnlyList<TrialRecord> trials)
    {
        if (Exhausted)
            return null;
        var raw = new double[_sizes.Length];
        var rest = _next++;
        for (var i = _sizes.Length - 1; i >= 0; i--)
        {
            raw[i] = rest % _sizes[i];
            rest /= _sizes[i];
        }
        return raw;
    }
}
