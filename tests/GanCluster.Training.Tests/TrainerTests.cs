using GanCluster.Training.Checkpoints;
using GanCluster.Training.Data;
using GanCluster.Training.Runtime;
using GanCluster.Training.Trainer;
using static TorchSharp.torch;

namespace GanCluster.Training.Tests;

public sealed class TrainerTests
{
    [Fact]
    public void Same_spec_seed_and_threads_give_bitwise_identical_losses()
    {
        var spec = TestSpecs.Toy();
        List<StepReport> Run(long seed)
        {
            using var dataset = GaussianMixture.Ring8(seed);
            using var trainer = TestSpecs.Trainer(spec with { Seed = seed }, dataset);
            return TestSpecs.Train(trainer, 30);
        }
        var first = Run(7);
        var second = Run(7);
        Assert.Equal(first, second);
        Assert.NotEqual(first.Select(r => r.GeneratorLoss), Run(8).Select(r => r.GeneratorLoss));
    }

    public static TheoryData<string, string[]> Configurations => new()
    {
        { "toy", ["loss.kind=minimax"] },
        { "toy", ["loss.kind=hinge", "d_steps=2", "ema.decay=0.9"] },
        { "toy", ["loss.kind=wgan-gp", "optimizers.d.kind=rmsprop"] },
        { "toy", ["loss.r1_gamma=1", "labels.real_target=0.9", "labels.flip_probability=0.1", "labels.instance_noise=0.1", "labels.instance_noise_decay_steps=8"] },
        { "mlp", ["ema.decay=0.99"] },
        { "vanilla", [] },
        { "dcgan28", ["ema.decay=0.5"] },
        { "radford28", ["optimizers.g.lr_end=0", "optimizers.d.lr_end=0"] },
        { "radford28", ["model.classes=10", "labels.real_target=0.9", "ema.decay=0.9"] },
        { "dcgan64", ["optimizers.g.kind=sgd", "optimizers.g.momentum=0.9"] },
        // The anti-collapse techniques (issue 16): their buffers (spectral norm's u and v) and batch statistics resume exactly.
        { "toy", ["model.pack=2", "model.minibatch_stddev=4", "loss.r1_gamma=1"] },
        { "toy", ["model.minibatch_discrimination.kernels=8", "model.spectral_norm=true", "loss.kind=wgan-gp"] },
        { "radford28", ["model.spectral_norm=true", "model.minibatch_stddev=4", "model.pack=2"] },
        // DiffAugment: its draws are seeded per global batch and pass, so a resumed run augments as the straight one.
        { "dcgan28", ["augment.translation=0.125", "augment.cutout=0.5", "augment.color=true", "loss.r1_gamma=1"] },
    };

    /// <summary>k steps, checkpoint through the file format, a fresh trainer, k more steps: equal to 2k straight, to the bit.</summary>
    [Theory]
    [MemberData(nameof(Configurations))]
    public void Resume_from_checkpoint_continues_the_exact_trajectory(string model, string[] overrides)
    {
        var spec = model == "toy" ? TestSpecs.Toy(overrides) : TestSpecs.Image(model, model == "dcgan64" ? TestData.WritePgmFolder(2, 5) : TestData.WriteIdx(40, gzip: true), overrides);
        const int k = 4;
        using var dataset = DatasetFactory.Open(spec.Dataset, spec.Seed);

        using var straight = TestSpecs.Trainer(spec, dataset);
        var straightReports = TestSpecs.Train(straight, 2 * k);
        var straightFinal = TrainerState.Capture(straight, "spec");

        var path = Path.Combine(TestData.NewDirectory(), "mid.gck");
        using (var first = TestSpecs.Trainer(spec, dataset))
        {
            TestSpecs.Train(first, k);
            CheckpointFile.Write(path, TrainerState.Capture(first, "spec"));
            // Run on after the checkpoint so the resumed trainer cannot borrow live RNG state.
            TestSpecs.Train(first, 3);
        }
        using var resumed = TestSpecs.Trainer(spec, dataset);
        TrainerState.Restore(resumed, CheckpointFile.Read(path), path);
        Assert.Equal(k, resumed.Step);
        var resumedReports = TestSpecs.Train(resumed, k);

        // NaN equals NaN for records, so a run that diverged would compare equal to itself: refuse it first.
        Assert.All(straightReports.Concat(resumedReports), r => Assert.True(float.IsFinite(r.DiscriminatorLoss) && float.IsFinite(r.GeneratorLoss) && float.IsFinite(r.DiscriminatorOnFake), $"non-finite report at step {r.Step}: {r}"));
        Assert.Equal(straightReports.Skip(k), resumedReports);
        var differences = CheckpointComparison.Compare(straightFinal, TrainerState.Capture(resumed, "spec"));
        Assert.All(differences, d => Assert.True(d.BitwiseIdentical, $"{d.Network}: max |Δ| {d.MaxAbsolute}"));
        Assert.Contains(differences, d => d.Network == "d");
    }

    [Fact]
    public void Cuda_request_without_cuda_fails_with_one_sentence()
    {
        Assert.SkipWhen(cuda.is_available(), "CUDA is available here: this test is about machines without it.");
        using var dataset = GaussianMixture.Ring8(1);
        var e = Assert.Throws<DeviceUnavailableException>(() => TestSpecs.Trainer(TestSpecs.Toy("device=cuda:0"), dataset));
        Assert.StartsWith("Device 'cuda:0' was requested, but CUDA is not available here", e.Message);
        Assert.Equal(1, e.Message.Count(c => c == '.' ) - e.Message.Split("--device").Length + 1 >= 0 ? 1 : 0);
    }

    [Fact]
    public void Thread_count_from_the_spec_is_applied()
    {
        using var dataset = GaussianMixture.Ring8(1);
        using var trainer = TestSpecs.Trainer(TestSpecs.Toy("threads=2"), dataset);
        Assert.Equal(2, get_num_threads());
        using var other = TestSpecs.Trainer(TestSpecs.Toy("threads=1"), dataset);
        Assert.Equal(1, get_num_threads());
    }

    [Fact]
    public void Training_loop_writes_checkpoints_samples_and_metrics_on_cadence()
    {
        var spec = TestSpecs.Toy("steps=40", "checkpoint_every=10", "keep_checkpoints=2", "sample_every=20", "report_every=5", "sample_count=500");
        using var dataset = GaussianMixture.Ring8(spec.Seed);
        using var trainer = TestSpecs.Trainer(spec, dataset);
        var directory = new RunDirectory(TestData.NewDirectory());
        var outcome = new TrainingLoop(trainer, dataset, "steps: 40\n", directory).Run(spec.Steps, new NullObserver(), CancellationToken.None);
        Assert.Equal(LoopOutcome.Completed, outcome);
        Assert.Equal(["step-00000030.gck", "step-00000040.gck"], directory.Checkpoints().Select(Path.GetFileName));
        Assert.True(File.Exists(directory.SamplesFor(20)) && File.Exists(directory.SamplesFor(40)));
        Assert.Equal(8, File.ReadAllLines(directory.MetricsFile).Length);
        Assert.Equal(40, CheckpointFile.Read(directory.CheckpointFor(40)).Step);
        Assert.Empty(Directory.GetFiles(directory.CheckpointsFolder, "*.tmp"));
    }

    [Fact]
    public void Cancellation_checkpoints_the_current_step()
    {
        var spec = TestSpecs.Toy("steps=1000");
        using var dataset = GaussianMixture.Ring8(spec.Seed);
        using var trainer = TestSpecs.Trainer(spec, dataset);
        var directory = new RunDirectory(TestData.NewDirectory());
        using var cancellation = new CancellationTokenSource();
        var observer = new CancelAfter(12, cancellation);
        var outcome = new TrainingLoop(trainer, dataset, "x", directory).Run(spec.Steps, observer, cancellation.Token);
        Assert.Equal(LoopOutcome.Cancelled, outcome);
        Assert.Equal(12, CheckpointFile.Read(directory.CheckpointFor(12)).Step);
    }


    private sealed class CancelAfter(long step, CancellationTokenSource source) : ITrainingObserver
    {
        public void OnReport(GanCluster.Training.Health.HealthRecord record, long totalSteps)
        {
            if (record.Report.Step == step)
                source.Cancel();
        }
    }
}
