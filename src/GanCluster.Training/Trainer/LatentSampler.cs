using GanCluster.Training.Data;
using GanCluster.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GanCluster.Training.Trainer;

/// <summary>
/// G's input noise for one global batch, seeded from (seed, stream, batch) and sliced to a shard; for a
/// class-conditional G, followed by the rows' one-hot labels (<see cref="ClassConditioning.CycledLabels"/>).
/// </summary>
public static class LatentSampler
{
    public static Tensor Sample(Generator random, long seed, RandomStream stream, long batch, LatentPrior prior, int latentDim, ShardSlice shard, Device device, int classes = 0)
    {
        random.manual_seed(SeedMixer.Mix(seed, (long)stream, batch));
        var z = prior == LatentPrior.Uniform
            ? rand([shard.GlobalBatch, latentDim], generator: random).mul_(2).sub_(1)
            : randn([shard.GlobalBatch, latentDim], generator: random);
        var rows = shard.WorldSize == 1 ? z : z.narrow(0, shard.Start, shard.Length);
        var noise = device.type == DeviceType.CPU ? rows : rows.to(device);
        return classes == 0 ? noise : ClassConditioning.Latent(noise, ClassConditioning.CycledLabels(shard, classes, device), classes);
    }
}
