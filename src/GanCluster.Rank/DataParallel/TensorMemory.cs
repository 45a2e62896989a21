using System.Runtime.InteropServices;
using GanCluster.Collective;
using TorchSharp;
using static TorchSharp.torch;

namespace GanCluster.Rank.DataParallel;

/// <summary>The native storage of a contiguous CPU float32 tensor, as a <see cref="FloatBuffer"/> the ring reduces in place.</summary>
internal static partial class TensorMemory
{
    // TorchSharp keeps data_ptr internal; this is the export its own accessors use.
    [LibraryImport("LibTorchSharp")]
    private static partial IntPtr THSTensor_data(IntPtr handle);

    public static FloatBuffer Of(Tensor tensor)
    {
        if (tensor.device_type != DeviceType.CPU)
            throw new NotSupportedException($"the gRPC ring reduces CPU tensors; this one is on {tensor.device} (stage it through host memory)");
        if (tensor.dtype != ScalarType.Float32 || !tensor.is_contiguous())
            throw new ArgumentException($"the ring needs a contiguous float32 tensor, found {tensor.dtype}{(tensor.is_contiguous() ? "" : " (not contiguous)")}");
        return new FloatBuffer(THSTensor_data(tensor.Handle), tensor.numel());
    }
}
