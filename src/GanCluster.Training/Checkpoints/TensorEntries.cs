using TorchSharp;
using static TorchSharp.torch;

namespace GanCluster.Training.Checkpoints;

/// <summary>Tensors to checkpoint entries and back, through the tensor's own native memory (never a managed array handed to libtorch).</summary>
public static class TensorEntries
{
    public static CheckpointEntry From(string name, Tensor tensor)
    {
        using var cpuTensor = tensor.detach().cpu().contiguous();
        return new CheckpointEntry(name, tensor.dtype.ToString(), tensor.shape, cpuTensor.bytes.ToArray());
    }

    public static Tensor ToTensor(CheckpointEntry entry)
    {
        var dtype = Enum.Parse<ScalarType>(entry.DType!);
        var tensor = empty(entry.Shape!, dtype);
        entry.Data.CopyTo(tensor.bytes);
        return tensor;
    }

    /// <summary>Every tensor of a module's state dict, named <c>prefix/name</c>.</summary>
    public static void AddModule(List<CheckpointEntry> entries, string prefix, nn.Module module)
    {
        foreach (var (name, tensor) in module.state_dict())
            entries.Add(From($"{prefix}/{name}", tensor));
    }
}
