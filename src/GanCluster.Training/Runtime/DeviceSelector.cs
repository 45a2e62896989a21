using static TorchSharp.torch;

namespace GanCluster.Training.Runtime;

/// <summary>Turns "cpu" / "cuda" / "cuda:N" into a device, or fails with one sentence when CUDA is absent.</summary>
public static class DeviceSelector
{
    public static Device Select(string name)
    {
        if (name == "cpu")
            return CPU;
        var index = name == "cuda" ? 0 : int.Parse(name.AsSpan(5), System.Globalization.CultureInfo.InvariantCulture);
        if (!cuda.is_available())
            throw new DeviceUnavailableException($"Device '{name}' was requested, but CUDA is not available here (this build loads the CPU libtorch or no GPU is visible); use --device cpu or the CUDA image.");
        var count = cuda.device_count();
        if (index >= count)
            throw new DeviceUnavailableException($"Device '{name}' was requested, but only {count} CUDA device(s) are visible (cuda:0 to cuda:{count - 1}).");
        return device(TorchSharp.DeviceType.CUDA, index);
    }
}
