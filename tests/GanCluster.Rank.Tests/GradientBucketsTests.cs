using GanCluster.Rank.DataParallel;
using GanCluster.Specs;
using GanCluster.Training.Data;
using GanCluster.Training.Trainer;
using TorchSharp;
using static TorchSharp.torch;

namespace GanCluster.Rank.Tests;

/// <summary>
/// The gradient taps on the real trainer's step, for every model and the options that change its graph: every bucket
/// that a tap releases during backward must already hold its final gradients (the very bits backward ends with), and
/// the buckets must cover each network's buffer once.
/// </summary>
public sealed class GradientBucketsTests
{
    [Theory]
    [InlineData("model: { name: mlp, hidden: 64 }", 28, 1)]
    [InlineData("model: { name: mlp, hidden: 64, pack: 2, minibatch_stddev: 4, minibatch_discrimination: { kernels: 8, dims: 4 }, spectral_norm: true }", 28, 1)]
    [InlineData("model: { name: mlp, hidden: 64 }\nd_steps: 2\nmicro_batches: 2\naugment: { translation: 0.125, cutout: 0.5, color: true }", 28, 1)]
    [InlineData("model: { name: vanilla }", 28, 1)]
    [InlineData("model: { name: dcgan28 }", 28, 1)]
    [InlineData("model: { name: radford28 }", 28, 1)]
    [InlineData("model: { name: dcgan64 }", 64, 3)]
    public void Every_bucket_released_during_backward_holds_its_final_gradients(string model, int size, int channels)
    {
        var spec = RunSpecLoader.LoadText($$"""
            steps: 100
            batch_size: 8
            seed: 4
            threads: 1
            {{model}}
            dataset: { kind: images, path: /unused, image_size: {{size}}, channels: {{channels}} }
            """, "buckets.yaml").Spec;
        manual_seed(0);
        var pixels = randint(0, 256, [64, channels, size, size], dtype: ScalarType.Int32).to_type(ScalarType.Byte);
        using var dataset = new TensorDataset(pixels, seed: 1);
        using var trainer = new GanTrainer(spec, dataset, ShardSlice.Single(spec.BatchSize));
        using var sync = new CheckingSync(trainer, bucketFloats: 256);
        trainer.Sync = sync;
        for (var i = 0; i < 3; i++)
            trainer.TrainStep(report: true);

        // Every generator here is cut; a network that is not says why (the anti-collapse D wraps its layers out of order).
        Assert.True(sync.Buckets[NetworkRole.Generator].Boundaries.Count > 0, sync.Buckets[NetworkRole.Generator].Layout);
        foreach (var (network, buckets) in sync.Buckets)
        {
            if (buckets.Boundaries.Count == 0)
                Assert.StartsWith("one bucket: ", buckets.Layout);
            // Every tap fired in time: one bucket a backward is left for the end.
            Assert.Equal(buckets.Buckets - buckets.DuringBackward, sync.Backwards[network]);
            Assert.Equal(buckets.Boundaries.Count * sync.Backwards[network], buckets.DuringBackward);
        }
    }

    [Fact]
    public void Parameters_registered_out_of_layer_order_make_one_bucket()
    {
        using var network = new Reordered();
        using var flat = new FlatGradients(network);
        using var buckets = new GradientBuckets(network, flat, bucketFloats: 4);
        Assert.Empty(buckets.Boundaries);
        Assert.Contains("not registered in the order of their modules", buckets.Layout);
    }

    /// <summary>Two layers whose parameters the buffer holds second layer first.</summary>
    private sealed class Reordered : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Parameter _late;
        private readonly nn.Module<Tensor, Tensor> _first = nn.Linear(4, 4);

        public Reordered() : base(nameof(Reordered))
        {
            _late = nn.Parameter(ones(4));
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => _first.forward(input) * _late;
    }

    /// <summary>Arms the buckets as the ring's sync does, keeps a copy of each bucket as it is released, and checks it after backward.</summary>
    private sealed class CheckingSync : IDataParallelSync, IDisposable
    {
        private readonly Dictionary<NetworkRole, FlatGradients> _flats;
        private readonly List<(long Start, Tensor Copy)> _released = [];
        private bool _inBackward;

        public CheckingSync(GanTrainer trainer, long bucketFloats)
        {
            _flats = new()
            {
                [NetworkRole.Generator] = new FlatGradients(trainer.Networks.Generator),
                [NetworkRole.Discriminator] = new FlatGradients(trainer.Networks.Discriminator),
            };
            Buckets = _flats.ToDictionary(f => f.Key, f => new GradientBuckets(f.Key == NetworkRole.Generator ? trainer.Networks.Generator : trainer.Networks.Discriminator, f.Value, bucketFloats));
        }

        public Dictionary<NetworkRole, GradientBuckets> Buckets { get; }
        public Dictionary<NetworkRole, int> Backwards { get; } = new() { [NetworkRole.Generator] = 0, [NetworkRole.Discriminator] = 0 };

        public void BeforeBackward(NetworkRole network, long step)
        {
            _released.Clear();
            var flat = _flats[network].Flat;
            _inBackward = true;
            Buckets[network].Arm((start, length) => _released.Add((start, flat.narrow(0, start, length).clone())));
        }

        public void AverageGradients(NetworkRole network, long step)
        {
            Assert.True(_inBackward, $"AverageGradients({network}) without BeforeBackward");
            _inBackward = false;
            Backwards[network]++;
            Buckets[network].Finish();
            var flat = _flats[network].Flat;
            var covered = 0L;
            foreach (var (start, copy) in _released.OrderBy(r => r.Start))
            {
                Assert.Equal(covered, start);
                Assert.True(copy.eq(flat.narrow(0, start, copy.numel())).all().ToBoolean(),
                    $"{network}, step {step}: the bucket at float {start} changed after it was released");
                covered += copy.numel();
                copy.Dispose();
            }
            Assert.Equal(flat.numel(), covered);
            _released.Clear();
        }

        public void SynchronizeBuffers(long step)
        {
        }

        public void AverageScalars(float[] values, long step)
        {
        }

        public bool AnyRank(bool flag, long step) => flag;

        public void Dispose()
        {
            foreach (var b in Buckets.Values)
                b.Dispose();
            foreach (var f in _flats.Values)
                f.Dispose();
        }
    }
}
