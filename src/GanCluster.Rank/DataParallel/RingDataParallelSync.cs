using System.Security.Cryptography;
using GanCluster.Collective;
using GanCluster.Training.Trainer;
using TorchSharp;
using static TorchSharp.torch;

namespace GanCluster.Rank.DataParallel;

/// <summary>
/// DDP for one rank of a GAN: gradients live in one flat buffer per network and are averaged over the ring before
/// each optimizer step, bucket by bucket while backward still runs when <c>data_parallel.overlap</c> is on
/// (<see cref="GradientBuckets"/>); parameters and buffers come from rank 0 at start and on resume; BatchNorm buffers
/// come from rank 0 at the end of every step (DDP's default, per-rank batch statistics, no SyncBN).
/// </summary>
/// <remarks>
/// Buckets are reduced one after another, in the order backward releases them, which is the same on every rank; the
/// ring runs one collective at a time, so everything else waits for the last bucket first.
/// </remarks>
public sealed class RingDataParallelSync : IDataParallelSync, IDisposable
{
    private readonly RingCommunicator _ring;
    private readonly GanTrainer _trainer;
    private readonly FlatGradients _generator;
    private readonly FlatGradients _discriminator;
    private readonly Tensor[] _stepBuffers;
    private readonly WireEncoding _gradients;
    private readonly GradientBuckets? _generatorBuckets;
    private readonly GradientBuckets? _discriminatorBuckets;
    private readonly Lock _reducingLock = new();
    private Task _reducing = Task.CompletedTask;

    public RingDataParallelSync(RingCommunicator ring, GanTrainer trainer)
    {
        if (trainer.Device.type != DeviceType.CPU)
            throw new NotSupportedException("the gRPC ring reduces host memory; CUDA ranks need a staging copy, which is not built yet");
        (_ring, _trainer) = (ring, trainer);
        _generator = new FlatGradients(trainer.Networks.Generator);
        _discriminator = new FlatGradients(trainer.Networks.Discriminator);
        _stepBuffers = FloatBuffers(trainer.Networks.Generator).Concat(FloatBuffers(trainer.Networks.Discriminator)).ToArray();
        _gradients = trainer.Spec.DataParallel.Compression == Specs.GradientCompression.Bf16 ? WireEncoding.BFloat16 : WireEncoding.Float32;
        var parallel = trainer.Spec.DataParallel;
        if (parallel.Overlap && ring.WorldSize > 1)
        {
            var bucketFloats = (long)(parallel.BucketMegabytes * (1 << 20) / sizeof(float));
            _generatorBuckets = new GradientBuckets(trainer.Networks.Generator, _generator, bucketFloats);
            // A gradient penalty differentiates D twice: its taps would be passed by the inner backward as well.
            if (!trainer.Spec.Loss.DifferentiatesDiscriminatorTwice)
                _discriminatorBuckets = new GradientBuckets(trainer.Networks.Discriminator, _discriminator, bucketFloats);
        }
    }

    /// <summary>How many buckets backward hid, per network ("G: 500 of 600 reduced during backward"); null with overlap off.</summary>
    public string? BucketCounts => _generatorBuckets is null ? null
        : string.Join("; ", new[] { ("G", _generatorBuckets), ("D", _discriminatorBuckets) }.Where(b => b.Item2 is not null)
            .Select(b => $"{b.Item1}: {b.Item2!.DuringBackward} of {b.Item2.Buckets} reduced during backward"));

    /// <summary>How each network's gradients travel ("G: 5 buckets, D: 3 buckets"), for the rank's log.</summary>
    public string BucketLayout => _generatorBuckets is null
        ? "after backward (overlap off)"
        : $"G: {_generatorBuckets.Layout}; D: {_discriminatorBuckets?.Layout ?? "one bucket: a gradient penalty differentiates D twice"}";

    private readonly Dictionary<string, System.Diagnostics.Stopwatch> _clocks = new()
    {
        ["D gradients"] = new(), ["G gradients"] = new(), ["BatchNorm buffers"] = new(), ["losses"] = new(), ["stop vote"] = new(),
    };

    public int WorldSize => _ring.WorldSize;

    /// <summary>Wall time spent inside collectives so far: the communication that training waited for (none of it overlaps compute).</summary>
    public TimeSpan CollectiveTime => TimeSpan.FromTicks(_clocks.Values.Sum(c => c.Elapsed.Ticks));

    /// <summary>That time by kind of collective, including any wait for a slower rank to arrive.</summary>
    public IReadOnlyDictionary<string, TimeSpan> CollectiveTimes => _clocks.ToDictionary(c => c.Key, c => c.Value.Elapsed);

    /// <summary>Each collective as it completes: its kind, the bytes this rank reduced, and how long it took.</summary>
    public event Action<string, long, TimeSpan>? Completed;

    private void Timed(string kind, long bytes, Action collective)
    {
        var clock = _clocks[kind];
        var before = clock.Elapsed;
        clock.Start();
        try
        {
            collective();
        }
        finally
        {
            clock.Stop();
        }
        Completed?.Invoke(kind, bytes, clock.Elapsed - before);
    }

    public void BeforeBackward(NetworkRole network, long step)
    {
        if (Buckets(network) is not { } buckets)
            return;
        var (flat, kind) = Gradients(network);
        var bucket = 0;
        buckets.Arm((start, length) => Reduce(flat, start, length, $"step {step + 1}, {kind}, bucket {++bucket}"));
    }

    public void AverageGradients(NetworkRole network, long step)
    {
        var (flat, kind) = Gradients(network);
        // The wait is what training sees: with buckets, only the part that backward did not hide.
        Timed(kind, flat.Flat.NumberOfElements * sizeof(float), () =>
        {
            if (Buckets(network) is not { } buckets)
            {
                _ring.AllReduceSum(TensorMemory.Of(flat.Flat), $"step {step + 1}, {kind}", _gradients);
                return;
            }
            buckets.Finish();
            Task reducing;
            lock (_reducingLock)
                (reducing, _reducing) = (_reducing, Task.CompletedTask);
            reducing.GetAwaiter().GetResult();
        });
        using var _ = no_grad();
        flat.Flat.div_(WorldSize);
    }

    private GradientBuckets? Buckets(NetworkRole network) => network == NetworkRole.Generator ? _generatorBuckets : _discriminatorBuckets;

    private (FlatGradients Flat, string Kind) Gradients(NetworkRole network) =>
        network == NetworkRole.Generator ? (_generator, "G gradients") : (_discriminator, "D gradients");

    /// <summary>Queues the all-reduce of bucket [start, start + length) (in floats) of a network's gradients behind the ones before it.</summary>
    private void Reduce(FlatGradients flat, long start, long length, string label)
    {
        var whole = TensorMemory.Of(flat.Flat);
        var slice = new FloatBuffer(whole.Pointer + (nint)(start * sizeof(float)), length);
        // Backward calls this from its own thread (on CPU, the trainer's; on other devices, the engine's).
        lock (_reducingLock)
        {
            var previous = _reducing;
            _reducing = Task.Run(async () =>
            {
                await previous;
                await _ring.AllReduceSumAsync(slice, label, _gradients);
            });
        }
    }

    public void SynchronizeBuffers(long step)
    {
        if (_stepBuffers.Length > 0)
            Timed("BatchNorm buffers", _stepBuffers.Sum(b => b.NumberOfElements) * sizeof(float), () => BroadcastFromRankZero(_stepBuffers, $"step {step + 1}, BatchNorm buffers"));
    }

    public void AverageScalars(float[] values, long step)
    {
        Timed("losses", values.Length * sizeof(float), () => AllReduce(values, $"step {step}, reported losses"));
        for (var i = 0; i < values.Length; i++)
            values[i] /= WorldSize;
    }

    /// <summary>Whether any rank asks to stop (Ctrl+C, SIGTERM), so that all ranks stop after the same step.</summary>
    public bool AnyRank(bool flag, long step)
    {
        float[] vote = [flag ? 1f : 0f];
        Timed("stop vote", sizeof(float), () => AllReduce(vote, $"step {step}, stop vote"));
        return vote[0] > 0;
    }

    private unsafe void AllReduce(float[] values, string label)
    {
        fixed (float* p = values)
            _ring.AllReduceSum(new FloatBuffer((IntPtr)p, values.Length), label);
    }

    /// <summary>Rank 0's parameters and buffers of G, D and the EMA on every rank: at start and after a resume.</summary>
    public void BroadcastState(string why)
    {
        var modules = new List<nn.Module> { _trainer.Networks.Generator, _trainer.Networks.Discriminator };
        if (_trainer.Ema is not null)
            modules.Add(_trainer.Ema.Average);
        var tensors = modules.SelectMany(m => m.parameters().Cast<Tensor>().Concat(FloatBuffers(m))).ToArray();
        BroadcastFromRankZero(tensors, why);
    }

    /// <summary>SHA-256 of every parameter of G, D and the EMA, in order: equal on all ranks when they are in sync.</summary>
    public static string ParameterDigest(GanTrainer trainer)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var modules = new List<nn.Module> { trainer.Networks.Generator, trainer.Networks.Discriminator };
        if (trainer.Ema is not null)
            modules.Add(trainer.Ema.Average);
        foreach (var p in modules.SelectMany(m => m.parameters()))
        {
            using var cpu = p.detach().cpu().contiguous();
            hash.AppendData(cpu.bytes);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private void BroadcastFromRankZero(IReadOnlyList<Tensor> tensors, string label)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var staging = cat(tensors.Select(t => t.detach().reshape(-1)).ToList(), 0).contiguous();
        _ring.Broadcast(TensorMemory.Of(staging), label);
        long offset = 0;
        foreach (var t in tensors)
        {
            t.copy_(staging.narrow(0, offset, t.numel()).view(t.shape));
            offset += t.numel();
        }
    }

    private static IEnumerable<Tensor> FloatBuffers(nn.Module module) => module.buffers().Where(b => b.dtype == ScalarType.Float32);

    public void Dispose()
    {
        _generatorBuckets?.Dispose();
        _discriminatorBuckets?.Dispose();
        _generator.Dispose();
        _discriminator.Dispose();
    }
}
