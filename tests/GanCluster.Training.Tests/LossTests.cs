using GanCluster.Training.Losses;
using GanCluster.Specs;
using GanCluster.Training.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace GanCluster.Training.Tests;

public sealed class LossTests
{
    private static double Value(Tensor t) => t.ToDouble();

    [Fact]
    public void Losses_match_their_closed_forms_at_known_logits()
    {
        using var scope = NewDisposeScope();
        var zero = zeros(4, 1);
        var one = ones(4, 1);
        var zeroTargets = zeros(4, 1);
        Assert.Equal(Math.Log(2), Value(new NonSaturatingLoss().Generator(zero)), 6);
        Assert.Equal(-Math.Log(2), Value(new MinimaxLoss().Generator(zero)), 6);
        Assert.Equal(2 * Math.Log(2), Value(new NonSaturatingLoss().Discriminator(zero, zero, one, zeroTargets)), 6);
        // hinge: relu(1 - 1) + relu(1 + 1) = 2
        Assert.Equal(2, Value(new HingeLoss().Discriminator(one, one, one, zeroTargets)), 6);
        Assert.Equal(-1, Value(new HingeLoss().Generator(one)), 6);
        // Wasserstein critic: E[f] - E[r]
        Assert.Equal(-1, Value(new WassersteinLoss().Discriminator(one, zero, one, zeroTargets)), 6);
    }

    [Fact]
    public void One_sided_smoothing_changes_only_real_targets()
    {
        using var scope = NewDisposeScope();
        var policy = new LabelPolicy(new LabelSpec(0.9, 0, 0, 0), seed: 1);
        using var generator = new Generator(0);
        var (real, fake) = policy.Targets(0, ShardSlice.Single(8), CPU, generator);
        Assert.All(real.data<float>().ToArray(), v => Assert.Equal(0.9f, v));
        Assert.All(fake.data<float>().ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Label_flips_happen_at_their_probability_and_repeat_per_batch()
    {
        using var scope = NewDisposeScope();
        var policy = new LabelPolicy(new LabelSpec(1, 0.25, 0, 0), seed: 1);
        using var generator = new Generator(0);
        var (real, fake) = policy.Targets(3, ShardSlice.Single(4000), CPU, generator);
        var flippedReal = real.eq(0).sum().ToInt64() / 4000.0;
        var flippedFake = fake.eq(1).sum().ToInt64() / 4000.0;
        Assert.InRange(flippedReal, 0.22, 0.28);
        Assert.InRange(flippedFake, 0.22, 0.28);
        var (again, _) = policy.Targets(3, ShardSlice.Single(4000), CPU, generator);
        Assert.Equal(real.data<float>().ToArray(), again.data<float>().ToArray());
    }

    [Fact]
    public void Instance_noise_decays_linearly_to_zero()
    {
        var policy = new LabelPolicy(new LabelSpec(1, 0, 0.2, 100), seed: 1);
        Assert.Equal(0.2, policy.InstanceNoiseSd(0), 9);
        Assert.Equal(0.1, policy.InstanceNoiseSd(50), 9);
        Assert.Equal(0, policy.InstanceNoiseSd(100), 9);
        using var generator = new Generator(0);
        Assert.Null(policy.InstanceNoise(150, 0, 0, ShardSlice.Single(4), [2], CPU, generator));
    }

    [Fact]
    public void Gradient_penalties_match_a_linear_critic()
    {
        using var scope = NewDisposeScope();
        // D(x) = w·x has ∇D = w everywhere: WGAN-GP = λ(‖w‖ − 1)², R1 = γ/2·‖w‖².
        var critic = nn.Linear(2, 1, hasBias: false);
        using (no_grad())
            critic.weight!.copy_(tensor(new float[,] { { 3, 4 } }));
        var real = randn(6, 2);
        var fake = randn(6, 2);
        var gp = GradientPenalties.Wasserstein(critic, real, fake, rand(6), weight: 10);
        Assert.Equal(10 * Math.Pow(5 - 1, 2), gp.ToDouble(), 3);
        var input = real.clone().requires_grad_(true);
        var r1 = GradientPenalties.R1(critic.forward(input), input, gamma: 2);
        Assert.Equal(25, r1.ToDouble(), 3);
    }
}

public sealed class LabelTargetTypeTests
{
    [Fact]
    public void Targets_are_float32_like_the_logits()
    {
        using var scope = NewDisposeScope();
        var policy = new GanCluster.Training.Losses.LabelPolicy(new GanCluster.Specs.LabelSpec(0.9, 0.1, 0, 0), seed: 1);
        using var generator = new Generator(0);
        var (real, fake) = policy.Targets(0, GanCluster.Training.Data.ShardSlice.Single(8), CPU, generator);
        Assert.Equal(ScalarType.Float32, real.dtype);
        Assert.Equal(ScalarType.Float32, fake.dtype);
    }
}

public sealed class ExponentialMovingAverageTests
{
    [Fact]
    public void Average_warms_up_then_follows_the_configured_decay()
    {
        using var source = nn.Linear(1, 1, hasBias: false);
        using var average = nn.Linear(1, 1, hasBias: false);
        using (no_grad())
            source.weight!.fill_(0);
        var ema = new GanCluster.Training.Optim.ExponentialMovingAverage(source, average, decay: 0.999, startStep: 0);
        ema.Reset();
        using (no_grad())
            source.weight!.fill_(1);
        ema.Update(0);
        // t = 0: effective decay 1/10, so the average moves 90% of the way at once.
        Assert.Equal(0.9, average.weight!.ToDouble(), 6);
        for (var step = 1; step < 5000; step++)
            ema.Update(step);
        Assert.True(average.weight!.ToDouble() > 0.99);
    }
}
