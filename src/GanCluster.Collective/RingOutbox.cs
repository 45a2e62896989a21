using System.Buffers;
using System.Threading.Channels;
using GanCluster.Collective.Wire;

namespace GanCluster.Collective;

/// <summary>
/// A frame on its way to the right neighbour; a tracked one belongs to a collective, which waits until it is sent.
/// <paramref name="Encoded"/> is the pooled array an encoded payload lives in (null when the frame aliases the buffer).
/// </summary>
internal readonly record struct OutgoingFrame(RingFrame Frame, bool Tracked, byte[]? Encoded = null)
{
    /// <summary>Arrays for encoded payloads (bfloat16 chunks), back in the pool once the server has written them.</summary>
    public static readonly ArrayPool<byte> Payloads = ArrayPool<byte>.Create(maxArrayLength: 16 << 20, maxArraysPerBucket: 64);

    /// <summary>Gives an encoded payload back; the frame is written (copied out) or dropped by then.</summary>
    public void Release()
    {
        if (Encoded is not null)
            Payloads.Return(Encoded);
    }
}

/// <summary>
/// The frames for the right neighbour, one queue per channel. The neighbour's Pull streams drain them; a frame
/// counts as sent once the server has written it to the response stream (copied out of the rank's buffer).
/// </summary>
internal sealed class RingOutbox
{
    private readonly Channel<OutgoingFrame>[] _queues;
    private readonly TaskCompletionSource _attached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _attachedCount;

    public RingOutbox(int channels) =>
        _queues = Enumerable.Range(0, channels).Select(_ => Channel.CreateUnbounded<OutgoingFrame>(new UnboundedChannelOptions { SingleReader = true })).ToArray();

    public int Channels => _queues.Length;

    /// <summary>Completes when the right neighbour pulls on every channel.</summary>
    public Task Attached => _attached.Task;

    /// <summary>Called back for every tracked frame once written (or dropped after a failure).</summary>
    public Action? FrameSent { get; set; }

    /// <summary>Called once when writing to the neighbour fails.</summary>
    public Action<Exception>? SendFailed { get; set; }

    public void Enqueue(int channel, OutgoingFrame frame)
    {
        if (_queues[channel].Writer.TryWrite(frame))
            return;
        frame.Release();
        if (frame.Tracked)
            FrameSent?.Invoke();
    }

    public ChannelReader<OutgoingFrame> Attach(int channel)
    {
        if (Interlocked.Increment(ref _attachedCount) == _queues.Length)
            _attached.TrySetResult();
        return _queues[channel].Reader;
    }

    /// <summary>No more frames: the Pull streams finish what is queued and end.</summary>
    public void Complete()
    {
        foreach (var q in _queues)
            q.Writer.TryComplete();
    }
}
