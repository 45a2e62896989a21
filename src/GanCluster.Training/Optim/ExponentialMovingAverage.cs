using static TorchSharp.torch;

namespace GanCluster.Training.Optim;

/// <summary>
/// An EMA copy of G's weights (Karras et al., Yazıcı et al.); buffers such as BN statistics are copied
/// as they are. The decay warms up as min(decay, (1 + t) / (10 + t)) so early samples are not the init.
/// </summary>
public sealed class ExponentialMovingAverage(nn.Module<Tensor, Tensor> source, nn.Module<Tensor, Tensor> average, double decay, long startStep)
{
    private readonly (Tensor Source, Tensor Average)[] _parameters =
        source.parameters().Zip(average.parameters(), (s, a) => ((Tensor)s, (Tensor)a)).ToArray();
    private readonly (Tensor Source, Tensor Average)[] _buffers =
        source.buffers().Zip(average.buffers()).ToArray();

    public nn.Module<Tensor, Tensor> Average { get; } = average;

    /// <summary>Copies G into the average: at start and until <c>startStep</c>.</summary>
    public void Reset()
    {
        using var _ = no_grad();
        foreach (var (s, a) in _parameters)
            a.copy_(s);
        foreach (var (s, a) in _buffers)
            a.copy_(s);
    }

    /// <summary>Folds G's weights after step <paramref name="step"/> into the average.</summary>
    public void Update(long step)
    {
        if (step < startStep)
        {
            Reset();
            return;
        }
        var t = step - startStep;
        var effective = Math.Min(decay, (1.0 + t) / (10.0 + t));
        using var _ = no_grad();
        foreach (var (s, a) in _parameters)
            a.mul_(effective).add_(s, alpha: 1 - effective);
        foreach (var (s, a) in _buffers)
            a.copy_(s);
    }
}
