using GanCluster.Specs.Sweeps;

namespace GanCluster.Sweeps.Sampling;

/// <summary>
/// The searched parameters as the samplers see them. A configuration is one raw value per parameter: the index of
/// the value for a grid axis or a choice, the number itself (already quantised and clamped) for a numeric domain.
/// </summary>
internal sealed class ParameterSpace
{
    private readonly IReadOnlyList<SweepParameter> _parameters;

    public ParameterSpace(IReadOnlyList<SweepParameter> parameters)
    {
        foreach (var p in parameters)
            Check(p);
        _parameters = parameters;
    }

    public int Count => _parameters.Count;

    public SweepParameter this[int i] => _parameters[i];

    public static bool IsCategorical(ParameterDomain domain) => domain is GridDomain or ChoiceDomain;

    public static IReadOnlyList<string> Choices(ParameterDomain domain) => domain switch
    {
        GridDomain g => g.Values,
        ChoiceDomain c => c.Values,
        _ => throw new ArgumentException($"{domain.GetType().Name} has no list of values"),
    };

    public NumericAxis Axis(int i) => _parameters[i].Domain switch
    {
        UniformDomain u => new NumericAxis(u.Low, u.High, u.Quantum, false),
        LogUniformDomain l => new NumericAxis(Math.Log(l.Low), Math.Log(l.High), null, true),
        IntDomain n => new NumericAxis(n.Low, n.High, n.Quantum ?? 1, false),
        var d => throw new ArgumentException($"{d.GetType().Name} is not numeric"),
    };

    /// <summary>A raw value drawn uniformly from the parameter's domain (log-uniformly for loguniform).</summary>
    public double SampleUniform(int i, SweepRandom random)
    {
        var domain = _parameters[i].Domain;
        if (IsCategorical(domain))
            return random.NextIndex(Choices(domain).Count);
        var axis = Axis(i);
        return Snap(i, axis.FromInternal(random.NextDouble(axis.LowerLimit, axis.UpperLimit)));
    }

    /// <summary>A number moved into the parameter's domain: rounded to a multiple of its quantum (or to an integer) and clamped into range.</summary>
    public double Snap(int i, double value) => _parameters[i].Domain switch
    {
        UniformDomain u => Quantise(value, u.Quantum, u.Low, u.High),
        LogUniformDomain l => Quantise(value, l.Quantum, l.Low, l.High),
        IntDomain n => Quantise(value, n.Quantum ?? 1, n.Low, n.High),
        var d => throw new ArgumentException($"{d.GetType().Name} is not numeric"),
    };

    public string Format(int i, double raw) => _parameters[i].Domain switch
    {
        GridDomain or ChoiceDomain => Choices(_parameters[i].Domain)[(int)raw],
        IntDomain => ParameterDomain.Format((long)raw),
        _ => ParameterDomain.Format(raw),
    };

    public TrialConfiguration Describe(int index, IReadOnlyList<double> raw)
    {
        var values = new Dictionary<string, string>(_parameters.Count);
        for (var i = 0; i < _parameters.Count; i++)
            values.Add(_parameters[i].Path, Format(i, raw[i]));
        return new TrialConfiguration(index, values);
    }

    private static double Quantise(double value, double? quantum, double low, double high)
    {
        if (quantum is not { } q)
            return Math.Clamp(value, low, high);
        // Multiples of q within [low, high]; the tolerance keeps a bound that is itself a multiple (0.3 / 0.1).
        var kMin = Math.Ceiling(low / q - 1e-9);
        var kMax = Math.Floor(high / q + 1e-9);
        if (kMin > kMax)
            return Math.Clamp(value, low, high);
        var k = Math.Clamp(Math.Round(value / q), kMin, kMax);
        // Rounded to q's own decimals, so that 3 × 0.05 is written 0.15 and not 0.15000000000000002.
        return Math.Round(k * q, Decimals(q));
    }

    private static int Decimals(double q)
    {
        if (q >= 1e15 || q < 1e-15)
            return 15;
        var scale = (decimal.GetBits((decimal)q)[3] >> 16) & 0xFF;
        return Math.Min(scale, 15);
    }

    private static void Check(SweepParameter p)
    {
        var ok = p.Domain switch
        {
            GridDomain g => g.Values.Count > 0,
            ChoiceDomain c => c.Values.Count > 0,
            UniformDomain u => u.Low <= u.High && u.Quantum is null or > 0,
            LogUniformDomain l => l.Low > 0 && l.Low <= l.High && l.Quantum is null or > 0,
            IntDomain n => n.Low <= n.High && n.Quantum is null or > 0,
            _ => false,
        };
        if (!ok)
            throw new ArgumentException($"sweep parameter '{p.Path}': {p.Domain} is not a domain a sampler can draw from");
    }
}
