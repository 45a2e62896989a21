using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace GanCluster.Collective.Tests;

/// <summary>bfloat16 on the ring's wire: the conversions, and an all-reduce that sends half the bytes and still ends bitwise identical everywhere.</summary>
public sealed class BFloat16Tests
{
    [Theory]
    [InlineData(1.0f, (ushort)0x3F80)]
    [InlineData(-2.0f, (ushort)0xC000)]
    [InlineData(float.PositiveInfinity, (ushort)0x7F80)]
    [InlineData(float.NegativeInfinity, (ushort)0xFF80)]
    [InlineData(0.0f, (ushort)0x0000)]
    [InlineData(-0.0f, (ushort)0x8000)]
    // 1 + 2^-8 lies halfway between 1 and 1 + 2^-7: ties go to the even mantissa (1.0).
    [InlineData(1.00390625f, (ushort)0x3F80)]
    // 1 + 3·2^-8 lies halfway between 1 + 2^-7 and 1 + 2^-6: even is 1 + 2^-6.
    [InlineData(1.01171875f, (ushort)0x3F82)]
    // Just above halfway rounds up.
    [InlineData(1.004f, (ushort)0x3F81)]
    // The largest float rounds to infinity, as IEEE rounding does past bfloat16's largest finite value.
    [InlineData(float.MaxValue, (ushort)0x7F80)]
    public void Rounds_to_nearest_even(float value, ushort expected) => Assert.Equal(expected, BFloat16.FromSingle(value));

    [Fact]
    public void NaN_stays_NaN()
    {
        Assert.True(float.IsNaN(BFloat16.ToSingle(BFloat16.FromSingle(float.NaN))));
        // A NaN whose payload sits only in the low bits must not round to infinity.
        var lowPayload = BitConverter.UInt32BitsToSingle(0x7F800001u);
        Assert.True(float.IsNaN(BFloat16.ToSingle(BFloat16.FromSingle(lowPayload))));
    }

    [Fact]
    public void The_vector_paths_match_the_scalar_rule_bit_for_bit()
    {
        var random = new Random(7);
        var values = Enumerable.Range(0, 1003).Select(i => i switch
        {
            5 => float.NaN, 6 => BitConverter.UInt32BitsToSingle(0x7F800001u), 7 => float.PositiveInfinity, 8 => -0.0f, 9 => 1.00390625f, 10 => float.Epsilon,
            _ => (float)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-30, 30))),
        }).ToArray();
        var encoded = new byte[values.Length * 2];
        BFloat16.Encode(values, encoded);
        var halves = MemoryMarshal.Cast<byte, ushort>(encoded).ToArray();
        for (var i = 0; i < values.Length; i++)
            Assert.True(BFloat16.FromSingle(values[i]) == halves[i], $"value {i} ({values[i]:R}): {halves[i]:X4} against {BFloat16.FromSingle(values[i]):X4}");

        var decoded = new float[values.Length];
        BFloat16.DecodeInto(decoded, encoded);
        var sums = values.Select(v => float.IsFinite(v) ? v : 1f).ToArray();
        var expected = sums.Select((s, i) => s + BFloat16.ToSingle(halves[i])).ToArray();
        BFloat16.AddInto(sums, encoded);
        for (var i = 0; i < values.Length; i++)
        {
            Assert.Equal(BitConverter.SingleToUInt32Bits(BFloat16.ToSingle(halves[i])), BitConverter.SingleToUInt32Bits(decoded[i]));
            Assert.Equal(BitConverter.SingleToUInt32Bits(expected[i]), BitConverter.SingleToUInt32Bits(sums[i]));
        }
    }

    [Theory]
    [InlineData(2, 100_003)]
    [InlineData(3, 300_001)]
    [InlineData(4, 7)]
    public async Task A_bf16_all_reduce_is_bitwise_identical_on_every_rank_and_within_bf16_error_of_the_sum(int worldSize, int length)
    {
        var rings = await RingAllReduceTests.StartAll(RingAllReduceTests.Ring(worldSize));
        try
        {
            var inputs = Enumerable.Range(0, worldSize).Select(r => RingAllReduceTests.RandomFloats(length, seed: 3 + r)).ToArray();
            var buffers = inputs.Select(i => (float[])i.Clone()).ToArray();
            await Task.WhenAll(rings.Select((ring, r) => Task.Run(() => AllReduce(ring, buffers[r], WireEncoding.BFloat16))));
            Assert.Single(buffers.Select(b => Convert.ToHexString(SHA256.HashData(MemoryMarshal.AsBytes(b.AsSpan())))).Distinct());
            var rounded = 0;
            for (var i = 0; i < length; i++)
            {
                var exact = inputs.Sum(x => (double)x[i]);
                var magnitude = inputs.Sum(x => Math.Abs((double)x[i]));
                // Each of the N sends rounds once (2^-8 relative), and the owner rounds the final sum once more.
                Assert.True(Math.Abs(buffers[0][i] - exact) <= (worldSize + 1) * Math.Pow(2, -8) * magnitude, $"element {i}: {buffers[0][i]} against {exact}");
                // Every result is a bfloat16 value: the owner rounded it before sending it round.
                Assert.Equal(buffers[0][i], BFloat16.ToSingle(BFloat16.FromSingle(buffers[0][i])));
                if (buffers[0][i] != (float)exact)
                    rounded++;
            }
            Assert.True(length < 100 || rounded > length / 2, $"only {rounded} of {length} sums differ from float32's: was the payload compressed at all?");

            // The next collective on the same rings is exact again.
            var exactBuffers = inputs.Select(i => (float[])i.Clone()).ToArray();
            await Task.WhenAll(rings.Select((ring, r) => Task.Run(() => AllReduce(ring, exactBuffers[r], WireEncoding.Float32))));
            for (var i = 0; i < Math.Min(length, 1000); i++)
                Assert.True(Math.Abs(exactBuffers[0][i] - inputs.Sum(x => (double)x[i])) <= 1e-5 * (1 + inputs.Sum(x => Math.Abs((double)x[i]))));
        }
        finally
        {
            await Task.WhenAll(rings.Select(r => r.DisposeAsync().AsTask()));
        }
    }

    [Fact]
    public async Task Ranks_that_disagree_on_the_encoding_fail_with_a_protocol_error()
    {
        var rings = await RingAllReduceTests.StartAll(RingAllReduceTests.Ring(2));
        try
        {
            var buffers = new[] { new float[5000], new float[5000] };
            var runs = new[] { WireEncoding.Float32, WireEncoding.BFloat16 }.Select((e, r) => Task.Run(() => AllReduce(rings[r], buffers[r], e))).ToArray();
            var error = await Assert.ThrowsAsync<CollectiveException>(() => Task.WhenAll(runs));
            Assert.Contains("protocol error", error.Message);
        }
        finally
        {
            await Task.WhenAll(rings.Select(r => r.DisposeAsync().AsTask()));
        }
    }

    private static unsafe void AllReduce(RingCommunicator ring, float[] values, WireEncoding encoding)
    {
        fixed (float* p = values)
            ring.AllReduceSum(new FloatBuffer((IntPtr)p, values.Length), "bf16 test", encoding);
    }
}
