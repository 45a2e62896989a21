using TorchSharp;
using static TorchSharp.torch;

namespace GanCluster.Rank.DataParallel;

/// <summary>
/// DDP's buckets for one network, without tensor hooks (TorchSharp 0.107 has none): a forward hook puts an identity
/// <see cref="GradientTap"/> on the output of a layer at each bucket boundary, and the tap's backward runs once the
/// gradient of that output is complete, that is once backward has finished every layer after it. The parameters of
/// those layers are then final (autograd accumulates a leaf's gradient as soon as its layer's backward has run), so
/// their slice of the flat gradient buffer can be reduced while backward goes on with the layers before.
/// </summary>
/// <remarks>
/// A network that runs several times in one backward (D on real and on fake images) passes each tap once per run, so a
/// tap counts the forwards it was put on and releases its bucket when the last of them is back. The flat buffer holds
/// parameters in registration order; taps are placed only where that order is the order of the layers (every module
/// that owns parameters owns one contiguous run of the buffer, the runs in module order), else the network has a single
/// bucket, reduced after backward. Whatever a tap has not released by <see cref="Finish"/> goes then, so a bucket is at
/// worst reduced late, never early.
/// </remarks>
internal sealed class GradientBuckets : IDisposable
{
    private readonly FlatGradients _flat;
    private readonly List<TapPoint> _points = [];
    private readonly List<Action> _unhook = [];
    private Action<long, long>? _release;
    private long _unreleased;

    /// <param name="bucketFloats">The least size of a bucket (the first one, nearest the input, may be smaller).</param>
    public GradientBuckets(nn.Module network, FlatGradients flat, long bucketFloats)
    {
        _flat = flat;
        _unreleased = flat.Count;
        var owners = ParameterOwners(network, flat, out var why);
        if (why is not null)
        {
            Layout = why;
            return;
        }
        // From the output back: close a bucket at the first layer boundary past bucketFloats.
        var size = 0L;
        for (var i = owners.Count - 1; i > 0; i--)
        {
            size += owners[i].Length;
            if (size < bucketFloats || owners[i - 1].Module is not nn.Module<Tensor, Tensor> before)
                continue;
            var point = new TapPoint(this, owners[i].Start);
            _points.Add(point);
            var hook = before.register_forward_hook((_, _, output) => point.Put(output));
            _unhook.Add(hook.remove);
            size = 0;
        }
        Layout = _points.Count == 0 ? "one bucket: its layers after the first hold less than a bucket" : $"{_points.Count + 1} buckets";
    }

    /// <summary>How the network's gradients are cut ("5 buckets"), or why they are not.</summary>
    public string Layout { get; }

    /// <summary>Buckets handed over so far, and how many of them while backward was still running.</summary>
    public long Buckets { get; private set; }

    public long DuringBackward { get; private set; }

    /// <summary>Bucket boundaries in floats of the flat buffer, from the output back.</summary>
    public IReadOnlyList<long> Boundaries => _points.Select(p => p.Start).ToList();

    /// <summary>The next backward completes the gradients: hand each bucket to <paramref name="release"/> (start, length in floats) once it is final.</summary>
    public void Arm(Action<long, long> release) => _release = release;

    /// <summary>After that backward: hands over what no tap released, and forgets the backward.</summary>
    public void Finish()
    {
        var release = _release;
        _release = null;
        if (release is not null && _unreleased > 0)
        {
            release(0, _unreleased);
            Buckets++;
        }
        _unreleased = _flat.Count;
        foreach (var p in _points)
            p.Reset();
    }

    private void Released(TapPoint point)
    {
        if (_release is null || point.Start >= _unreleased)
            return;
        _release(point.Start, _unreleased - point.Start);
        _unreleased = point.Start;
        Buckets++;
        DuringBackward++;
    }

    /// <summary>
    /// The modules that own parameters directly, in module order, with their run of the flat buffer; null with the
    /// reason when those runs are not contiguous and in that order.
    /// </summary>
    private static List<(nn.Module Module, long Start, long Length)> ParameterOwners(nn.Module network, FlatGradients flat, out string? why)
    {
        why = null;
        var owners = new List<(nn.Module, long, long)>();
        var expected = 0L;
        foreach (var (name, module) in network.named_modules())
        {
            var own = module.named_parameters(recurse: false).Select(p => p.parameter).Where(p => p.requires_grad).ToList();
            if (own.Count == 0)
                continue;
            var start = flat.OffsetOf(own[0]);
            var length = 0L;
            foreach (var p in own)
            {
                if (flat.OffsetOf(p) != start + length)
                {
                    why = $"one bucket: the parameters of '{name}' are not one run of the gradient buffer";
                    return [];
                }
                length += p.numel();
            }
            if (start != expected)
            {
                why = $"one bucket: parameters are not registered in the order of their modules (at '{name}')";
                return [];
            }
            owners.Add((module, start, length));
            expected += length;
        }
        if (expected != flat.Count)
            why = "one bucket: some parameters belong to no module";
        return owners;
    }

    public void Dispose()
    {
        foreach (var unhook in _unhook)
            unhook();
    }

    /// <summary>A bucket boundary: the output of the layer just before float <see cref="Start"/> of the buffer.</summary>
    internal sealed class TapPoint(GradientBuckets owner, long start)
    {
        private int _pending;

        public long Start { get; } = start;

        /// <summary>The forward hook: taps the output when backward will pass through it.</summary>
        public Tensor Put(Tensor output)
        {
            if (!is_grad_enabled() || !output.requires_grad)
                return output;
            _pending++;
            return GradientTap.Wrap(output, this);
        }

        /// <summary>The tap's backward: the gradient of one tapped output is complete.</summary>
        public void Passed()
        {
            if (--_pending == 0)
                owner.Released(this);
        }

        public void Reset() => _pending = 0;
    }
}

/// <summary>Identity in forward; its backward tells its <see cref="GradientBuckets.TapPoint"/> that the gradient got there.</summary>
internal sealed class GradientTap : torch.autograd.SingleTensorFunction<GradientTap>
{
    public override string Name => "GanClusterGradientTap";

    public static Tensor Wrap(Tensor output, GradientBuckets.TapPoint point) => apply(output, point);

    public override Tensor forward(torch.autograd.AutogradContext ctx, params object[] vars)
    {
        ctx.save_data("point", vars[1]);
        var input = (Tensor)vars[0];
        return input.view_as(input);
    }

    public override List<Tensor> backward(torch.autograd.AutogradContext ctx, Tensor grad_output)
    {
        ((GradientBuckets.TapPoint)ctx.get_data("point")).Passed();
        return [grad_output, null!];
    }
}
