using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;

namespace GanCluster.Collective;

/// <summary>
/// A contiguous float32 region in native memory (a CPU tensor's storage), reduced in place by the ring.
/// Chunks of it are sent without copying: <see cref="Bytes"/> wraps the memory itself.
/// </summary>
public readonly unsafe struct FloatBuffer
{
    public FloatBuffer(IntPtr pointer, long length)
    {
        if (length < 0 || length > int.MaxValue / sizeof(float))
            throw new ArgumentOutOfRangeException(nameof(length), length, "a collective buffer holds at most 512 Mi floats (2 GiB)");
        if (pointer == IntPtr.Zero && length > 0)
            throw new ArgumentNullException(nameof(pointer));
        (Pointer, Length) = (pointer, length);
    }

    public IntPtr Pointer { get; }
    public long Length { get; }

    public Span<float> Slice(long start, int count)
    {
        if (start < 0 || count < 0 || start + count > Length)
            throw new ArgumentOutOfRangeException(nameof(start), $"[{start}, {start + count}) is outside a buffer of {Length} floats");
        return new Span<float>((float*)Pointer + start, count);
    }

    /// <summary>The bytes of floats [start, start + count) as memory that aliases the buffer (no copy).</summary>
    public ReadOnlyMemory<byte> Bytes(long start, int count)
    {
        _ = Slice(start, count);
        return new NativeBytes((byte*)Pointer + start * sizeof(float), count * sizeof(float)).Memory;
    }

    /// <summary><paramref name="destination"/> += <paramref name="source"/>, vectorised.</summary>
    public static void Add(Span<float> destination, ReadOnlySpan<float> source)
    {
        if (source.Length != destination.Length)
            throw new ArgumentException($"adding {source.Length} floats into {destination.Length}");
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var width = Vector<float>.Count;
            var d = MemoryMarshal.Cast<float, Vector<float>>(destination);
            var s = MemoryMarshal.Cast<float, Vector<float>>(source);
            for (var v = 0; v < d.Length; v++)
                d[v] += s[v];
            i = d.Length * width;
        }
        for (; i < destination.Length; i++)
            destination[i] += source[i];
    }

    private sealed class NativeBytes(byte* pointer, int length) : MemoryManager<byte>
    {
        public override Span<byte> GetSpan() => new(pointer, length);

        public override MemoryHandle Pin(int elementIndex = 0) => new(pointer + elementIndex);

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
        }
    }
}
