using System.Buffers;
using System.Text;
using GanCluster.Collective.Wire;
using Grpc.Core;

namespace GanCluster.Collective;

/// <summary>
/// A <see cref="RingFrame"/> as the receiving rank holds it: its payload in a pooled array instead of a fresh
/// <c>ByteString</c>. Megabyte chunks allocated per frame land on the large-object heap and trigger full
/// collections, which in a process full of finalizable tensors cost tens of milliseconds each.
/// </summary>
internal sealed class ReceivedFrame
{
    private static readonly ArrayPool<byte> Payloads = ArrayPool<byte>.Create(maxArrayLength: 16 << 20, maxArraysPerBucket: 64);

    private byte[]? _data;

    public ulong Sequence { get; private set; }
    public uint Round { get; private set; }
    public ulong Offset { get; private set; }
    public int Length { get; private set; }
    public bool Heartbeat { get; private set; }
    public WireEncoding Encoding { get; private set; }
    public string Abort { get; private set; } = "";

    public ReadOnlySpan<byte> Data => _data is null ? [] : _data.AsSpan(0, Length);

    /// <summary>Gives the payload back to the pool; the frame must not be read afterwards.</summary>
    public void Release()
    {
        if (_data is not null)
            Payloads.Return(_data);
        _data = null;
        Length = 0;
    }

    /// <summary>The response marshaller of <c>Collective.Pull</c>: RingFrame's wire format, read by hand into a pooled array.</summary>
    public static readonly Marshaller<ReceivedFrame> Marshaller = Marshallers.Create(
        (ReceivedFrame _, SerializationContext _) => throw new NotSupportedException("received frames are never sent"),
        (DeserializationContext context) => Parse(context.PayloadAsReadOnlySequence()));

    internal static ReceivedFrame Parse(ReadOnlySequence<byte> payload)
    {
        var frame = new ReceivedFrame();
        var reader = new SequenceReader<byte>(payload);
        while (!reader.End)
        {
            var tag = ReadVarint(ref reader);
            var (field, wire) = ((int)(tag >> 3), (int)(tag & 7));
            switch (field, wire)
            {
                case (1, 0): frame.Sequence = ReadVarint(ref reader); break;
                case (2, 0): frame.Round = (uint)ReadVarint(ref reader); break;
                case (3, 0): frame.Offset = ReadVarint(ref reader); break;
                case (5, 0): frame.Heartbeat = ReadVarint(ref reader) != 0; break;
                case (7, 0): frame.Encoding = (WireEncoding)ReadVarint(ref reader); break;
                case (4, 2):
                    var length = checked((int)ReadVarint(ref reader));
                    frame.Release();
                    frame._data = Payloads.Rent(length);
                    frame.Length = length;
                    if (!reader.TryCopyTo(frame._data.AsSpan(0, length)))
                        throw new InvalidDataException("truncated ring frame payload");
                    reader.Advance(length);
                    break;
                case (6, 2):
                    var size = checked((int)ReadVarint(ref reader));
                    var text = new byte[size];
                    if (!reader.TryCopyTo(text))
                        throw new InvalidDataException("truncated ring frame abort reason");
                    reader.Advance(size);
                    frame.Abort = System.Text.Encoding.UTF8.GetString(text);
                    break;
                default:
                    Skip(ref reader, wire);
                    break;
            }
        }
        return frame;
    }

    private static ulong ReadVarint(ref SequenceReader<byte> reader)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (!reader.TryRead(out var b))
                throw new InvalidDataException("truncated varint in a ring frame");
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
                return value;
        }
        throw new InvalidDataException("malformed varint in a ring frame");
    }

    private static void Skip(ref SequenceReader<byte> reader, int wire)
    {
        switch (wire)
        {
            case 0: ReadVarint(ref reader); break;
            case 1: reader.Advance(8); break;
            case 2: reader.Advance(checked((long)ReadVarint(ref reader))); break;
            case 5: reader.Advance(4); break;
            default: throw new InvalidDataException($"unknown wire type {wire} in a ring frame");
        }
    }
}
