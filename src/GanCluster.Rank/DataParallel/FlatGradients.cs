using static TorchSharp.torch;

namespace GanCluster.Rank.DataParallel;

/// <summary>
/// One flat float32 buffer per network that holds every parameter's gradient: each <c>param.grad</c> is set to a view
/// into it, so backward writes straight into the buffer the ring reduces, with no gather or scatter copies.
/// (<c>zero_grad</c> zeroes the views in place and keeps them.)
/// </summary>
public sealed class FlatGradients : IDisposable
{
    private readonly List<(Tensor Parameter, long Offset)> _parameters = [];
    private readonly Dictionary<IntPtr, long> _offsets = [];

    public FlatGradients(nn.Module module)
    {
        var parameters = module.parameters().Where(p => p.requires_grad).ToList();
        if (parameters.Any(p => p.dtype != ScalarType.Float32))
            throw new NotSupportedException("data-parallel training reduces float32 gradients only");
        Flat = zeros(parameters.Sum(p => p.numel()), ScalarType.Float32, parameters.FirstOrDefault()?.device ?? CPU);
        long offset = 0;
        foreach (var p in parameters)
        {
            p.grad = Flat.narrow(0, offset, p.numel()).view(p.shape);
            _parameters.Add((p, offset));
            _offsets[p.Handle] = offset;
            offset += p.numel();
        }
    }

    public Tensor Flat { get; }
    public long Count => Flat.numel();

    /// <summary>Where <paramref name="parameter"/>'s gradient starts in <see cref="Flat"/>, in floats.</summary>
    public long OffsetOf(Tensor parameter) => _offsets.TryGetValue(parameter.Handle, out var offset)
        ? offset
        : throw new ArgumentException("not a parameter of this network that takes gradients", nameof(parameter));

    /// <summary>Throws if something replaced a gradient with a tensor outside the flat buffer (its reduction would be lost).</summary>
    public void CheckViews()
    {
        var start = TensorMemory.Of(Flat).Pointer;
        foreach (var (p, offset) in _parameters)
        {
            using var grad = p.grad;
            if (grad is null || grad.numel() == 0 || TensorMemory.Of(grad).Pointer != start + (nint)(offset * sizeof(float)))
                throw new InvalidOperationException("a gradient no longer aliases the flat buffer (was it set to null or reassigned?)");
        }
    }

    public void Dispose() => Flat.Dispose();
}
