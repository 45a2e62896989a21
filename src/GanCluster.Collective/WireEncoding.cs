using System.Numerics;
using System.Runtime.InteropServices;

namespace GanCluster.Collective;

/// <summary>How a collective's values travel between ranks. Ranks always add in float32.</summary>
public enum WireEncoding
{
    /// <summary>The values as they are: 4 bytes each, exact.</summary>
    Float32 = 0,

    /// <summary>
    /// bfloat16, 2 bytes each: float32's sign, exponent and top 7 mantissa bits, rounded to nearest even. Half the
    /// bytes at the same range; a relative error of at most 2⁻⁸ per value sent.
    /// </summary>
    BFloat16 = 1,
}

/// <summary>The bfloat16 conversions of the ring: encode for the wire, and add or copy what arrives.</summary>
public static class BFloat16
{
    public const int BytesPerValue = sizeof(ushort);

    /// <summary>The bfloat16 nearest to <paramref name="value"/> (ties to even); NaN stays a quiet NaN.</summary>
    public static ushort FromSingle(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
            return (ushort)((bits >> 16) | 0x40);
        return (ushort)((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16);
    }

    public static float ToSingle(ushort value) => BitConverter.UInt32BitsToSingle((uint)value << 16);

    /// <summary>Writes <paramref name="source"/> as bfloat16 into <paramref name="destination"/> (2 bytes a value).</summary>
    public static void Encode(ReadOnlySpan<float> source, Span<byte> destination)
    {
        var target = MemoryMarshal.Cast<byte, ushort>(destination[..(source.Length * BytesPerValue)]);
        var bits = MemoryMarshal.Cast<float, uint>(source);
        var i = 0;
        if (Vector.IsHardwareAccelerated && source.Length >= 2 * Vector<uint>.Count)
        {
            var width = Vector<uint>.Count;
            var one = Vector<uint>.One;
            var bias = new Vector<uint>(0x7FFFu);
            for (; i + 2 * width <= source.Length; i += 2 * width)
            {
                var low = new Vector<uint>(bits.Slice(i, width));
                var high = new Vector<uint>(bits.Slice(i + width, width));
                var lowRounded = (low + bias + ((low >> 16) & one)) >> 16;
                var highRounded = (high + bias + ((high >> 16) & one)) >> 16;
                // NaN (exponent all ones, mantissa non-zero) keeps its top bits and turns quiet instead of rounding.
                lowRounded = Vector.ConditionalSelect(IsNaN(low), (low >> 16) | new Vector<uint>(0x40), lowRounded);
                highRounded = Vector.ConditionalSelect(IsNaN(high), (high >> 16) | new Vector<uint>(0x40), highRounded);
                Vector.Narrow(lowRounded, highRounded).CopyTo(target.Slice(i, 2 * width));
            }
        }
        for (; i < source.Length; i++)
            target[i] = FromSingle(source[i]);
    }

    private static Vector<uint> IsNaN(Vector<uint> bits) =>
        Vector.GreaterThan(bits & new Vector<uint>(0x7FFFFFFFu), new Vector<uint>(0x7F800000u));

    /// <summary><paramref name="destination"/> += the bfloat16 values in <paramref name="source"/>, in float32.</summary>
    public static void AddInto(Span<float> destination, ReadOnlySpan<byte> source) => Decode(destination, source, add: true);

    /// <summary><paramref name="destination"/> = the bfloat16 values in <paramref name="source"/>.</summary>
    public static void DecodeInto(Span<float> destination, ReadOnlySpan<byte> source) => Decode(destination, source, add: false);

    private static void Decode(Span<float> destination, ReadOnlySpan<byte> source, bool add)
    {
        var values = MemoryMarshal.Cast<byte, ushort>(source);
        if (values.Length != destination.Length)
            throw new ArgumentException($"decoding {values.Length} bfloat16 values into {destination.Length} floats");
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var width = Vector<ushort>.Count;
            for (; i + width <= values.Length; i += width)
            {
                Vector.Widen(new Vector<ushort>(values.Slice(i, width)), out var low, out var high);
                var lowFloats = Vector.AsVectorSingle(low << 16);
                var highFloats = Vector.AsVectorSingle(high << 16);
                var half = width / 2;
                if (add)
                {
                    lowFloats += new Vector<float>(destination.Slice(i, half));
                    highFloats += new Vector<float>(destination.Slice(i + half, half));
                }
                lowFloats.CopyTo(destination.Slice(i, half));
                highFloats.CopyTo(destination.Slice(i + half, half));
            }
        }
        for (; i < values.Length; i++)
            destination[i] = add ? destination[i] + ToSingle(values[i]) : ToSingle(values[i]);
    }
}
