namespace GanCluster.Sweeps.Sampling;

/// <summary>
/// A numeric domain in the space the samplers work in: log space for loguniform, and for a quantised or integer
/// domain a step, whose cells reach half a step past either bound (Optuna's discrete distributions).
/// </summary>
internal sealed record NumericAxis(double Low, double High, double? Step, bool Log)
{
    /// <summary>The bounds of the continuous range a sample is drawn in before it is snapped to the domain.</summary>
    public double LowerLimit => Low - (Step ?? 0) / 2;

    public double UpperLimit => High + (Step ?? 0) / 2;

    public double ToInternal(double value) => Log ? Math.Log(value) : value;

    public double FromInternal(double x) => Log ? Math.Exp(x) : x;
}
