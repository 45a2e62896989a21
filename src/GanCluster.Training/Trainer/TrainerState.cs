using GanCluster.Training.Checkpoints;
using GanCluster.Training.Optim;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanCluster.Training.Trainer;

/// <summary>Moves a trainer's full state (networks, optimizers, RNG, step) into a checkpoint and back.</summary>
public static class TrainerState
{
    public static readonly string Producer = $"GanCluster {typeof(TrainerState).Assembly.GetName().Version} / TorchSharp {typeof(torch).Assembly.GetName().Version}";

    public static Checkpoint Capture(GanTrainer trainer, string specYaml)
    {
        var entries = new List<CheckpointEntry>();
        TensorEntries.AddModule(entries, "g", trainer.Networks.Generator);
        TensorEntries.AddModule(entries, "d", trainer.Networks.Discriminator);
        if (trainer.Ema is { } ema)
            TensorEntries.AddModule(entries, "ema", ema.Average);
        AddOptimizer(entries, "opt/g", trainer.GeneratorOptimizer);
        AddOptimizer(entries, "opt/d", trainer.DiscriminatorOptimizer);
        using (var rng = get_rng_state())
            entries.Add(TensorEntries.From("rng/cpu", rng));
        return new Checkpoint
        {
            Step = trainer.Step,
            DataCursor = trainer.DataCursor,
            SpecYaml = specYaml,
            Producer = Producer,
            CreatedUtc = DateTimeOffset.UtcNow,
            Entries = entries,
        };
    }

    /// <summary>
    /// Loads a checkpoint into a trainer built from a compatible spec; fails naming the first mismatch. The weights,
    /// the EMA, the optimizers' moments, the RNG and the step are the checkpoint's; the hyperparameters are the
    /// trainer's spec's, so a checkpoint taken under other rates (PBT's exploit) trains on at the new ones.
    /// </summary>
    public static void Restore(GanTrainer trainer, Checkpoint checkpoint, string path)
    {
        RestoreModule(checkpoint, path, "g", trainer.Networks.Generator);
        RestoreModule(checkpoint, path, "d", trainer.Networks.Discriminator);
        if (trainer.Ema is { } ema)
        {
            if (checkpoint.Entries.Any(e => e.Network == "ema"))
                RestoreModule(checkpoint, path, "ema", ema.Average);
            else
                ema.Reset();
        }
        RestoreOptimizer(checkpoint, path, "opt/g", trainer.GeneratorOptimizer);
        RestoreOptimizer(checkpoint, path, "opt/d", trainer.DiscriminatorOptimizer);
        OptimizerFactory.Retune(trainer.GeneratorOptimizer, trainer.Spec.GeneratorOptimizer);
        OptimizerFactory.Retune(trainer.DiscriminatorOptimizer, trainer.Spec.DiscriminatorOptimizer);
        var rng = checkpoint.Find("rng/cpu") ?? throw new CheckpointException(path, "has no RNG state (entry rng/cpu)");
        using (var state = TensorEntries.ToTensor(rng))
            set_rng_state(state);
        trainer.Step = checkpoint.Step;
        if (trainer.DataCursor != checkpoint.DataCursor)
            throw new CheckpointException(path, $"data cursor {checkpoint.DataCursor} does not match step {checkpoint.Step} under this spec's d_steps (expected {trainer.DataCursor})");
    }

    private static void AddOptimizer(List<CheckpointEntry> entries, string name, OptimizerHelper optimizer)
    {
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory, System.Text.Encoding.UTF8, leaveOpen: true))
            optimizer.save_state_dict(writer);
        entries.Add(new CheckpointEntry(name, null, null, memory.ToArray()));
    }

    /// <summary>Loads the tensors under <paramref name="prefix"/> ("g", "d", "ema") into a module of the same architecture.</summary>
    public static void RestoreModule(Checkpoint checkpoint, string path, string prefix, nn.Module module)
    {
        using var _ = no_grad();
        var expected = module.state_dict();
        var stored = checkpoint.Entries.Where(e => e.Network == prefix && e.IsTensor).ToDictionary(e => e.Name[(prefix.Length + 1)..]);
        foreach (var (name, target) in expected)
        {
            if (!stored.TryGetValue(name, out var entry))
                throw new CheckpointException(path, $"has no tensor '{prefix}/{name}': it was made for a different model");
            if (entry.DType != target.dtype.ToString() || !entry.Shape!.SequenceEqual(target.shape))
                throw new CheckpointException(path, $"tensor '{prefix}/{name}' is {entry.DType}[{string.Join(", ", entry.Shape!)}], the model needs {target.dtype}[{string.Join(", ", target.shape)}]");
            using var source = TensorEntries.ToTensor(entry);
            target.copy_(source);
        }
        var extra = stored.Keys.Except(expected.Keys).ToList();
        if (extra.Count > 0)
            throw new CheckpointException(path, $"has tensors the model lacks ({string.Join(", ", extra.Take(3).Select(n => $"{prefix}/{n}"))}): it was made for a different model");
    }

    private static void RestoreOptimizer(Checkpoint checkpoint, string path, string name, OptimizerHelper optimizer)
    {
        var entry = checkpoint.Find(name) ?? throw new CheckpointException(path, $"has no optimizer state '{name}'");
        try
        {
            using var reader = new BinaryReader(new MemoryStream(entry.Data));
            optimizer.load_state_dict(reader);
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidOperationException or ArgumentException or IOException)
        {
            throw new CheckpointException(path, $"optimizer state '{name}' does not fit this spec's optimizer ({e.Message})");
        }
    }
}
