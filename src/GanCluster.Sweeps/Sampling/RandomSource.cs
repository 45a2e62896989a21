namespace GanCluster.Sweeps.Sampling;

/// <summary>Configurations drawn independently, each parameter uniformly from its domain.</summary>
internal sealed class RandomSource(ParameterSpace space, SweepRandom random) : IConfigurationSource
{
    public bool Exhausted => false;

    public IReadOnlyList<double>? Next(IReadOnlyList<TrialRecord> trials) => Sample(space, random);

    public static double[] Sample(ParameterSpace space, SweepRandom random)
    {
        var raw = new double[space.Count];
        for (var i = 0; i < raw.Length; i++)
            raw[i] = space.SampleUniform(i, random);
        return raw;
    }
}
