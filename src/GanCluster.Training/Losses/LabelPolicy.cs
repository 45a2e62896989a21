using GanCluster.Training.Data;
using GanCluster.Specs;
using static TorchSharp.torch;

namespace GanCluster.Training.Losses;

/// <summary>
/// D's targets and inputs under the label tricks: one-sided smoothing of real targets, random flips,
/// and instance noise whose sd decays linearly to zero. All draws are seeded per global batch.
/// </summary>
public sealed class LabelPolicy(LabelSpec spec, long seed)
{
    /// <summary>(real targets, fake targets), each [shard, 1].</summary>
    public (Tensor Real, Tensor Fake) Targets(long batchIndex, ShardSlice shard, Device device, Generator generator)
    {
        var real = full(shard.Length, 1, (float)spec.RealTarget, dtype: ScalarType.Float32, device: device);
        var fake = zeros(shard.Length, 1, device: device);
        if (spec.FlipProbability > 0)
        {
            generator.manual_seed(SeedMixer.Mix(seed, (long)RandomStream.LabelFlips, batchIndex));
            var draws = rand([2, shard.GlobalBatch, 1], generator: generator).narrow(1, shard.Start, shard.Length).to(device);
            var flipReal = draws[0].lt(spec.FlipProbability);
            var flipFake = draws[1].lt(spec.FlipProbability);
            real = real.masked_fill(flipReal, 0f);
            fake = fake.masked_fill(flipFake, (float)spec.RealTarget);
        }
        return (real, fake);
    }

    public double InstanceNoiseSd(long step) =>
        spec.InstanceNoise <= 0 ? 0
        : spec.InstanceNoiseDecaySteps == 0 ? spec.InstanceNoise
        : spec.InstanceNoise * Math.Max(0, 1 - (double)step / spec.InstanceNoiseDecaySteps);

    /// <summary>Gaussian noise for one D input, or null when instance noise is off at this step.</summary>
    public Tensor? InstanceNoise(long step, long batchIndex, int which, ShardSlice shard, long[] sampleShape, Device device, Generator generator)
    {
        var sd = InstanceNoiseSd(step);
        if (sd <= 0)
            return null;
        generator.manual_seed(SeedMixer.Mix(seed, (long)RandomStream.InstanceNoise, batchIndex * 2 + which));
        return randn([shard.GlobalBatch, .. sampleShape], generator: generator).narrow(0, shard.Start, shard.Length).to(device).mul_(sd);
    }
}
