using System.Threading.Channels;

namespace GanCluster.Collective;

/// <summary>Something the left neighbour's streams delivered: a frame, or the news that the neighbour is gone.</summary>
internal readonly record struct InboxItem(ReceivedFrame? Frame, string? Failure);

/// <summary>
/// Frames from the left neighbour, from all of its streams, in one queue for the rank's collective loop, plus the
/// time anything (data or heartbeat) was last heard, which is how a hung neighbour is told from a busy one.
/// </summary>
internal sealed class RingInbox(int channels)
{
    private readonly Channel<InboxItem> _items = Channel.CreateUnbounded<InboxItem>(new UnboundedChannelOptions { SingleReader = true });
    private long _lastHeard = Environment.TickCount64;
    private int _endedStreams;

    public ChannelReader<InboxItem> Reader => _items.Reader;
    public long LastHeard => Interlocked.Read(ref _lastHeard);

    public void Deliver(ReceivedFrame frame)
    {
        Heard();
        if (frame.Heartbeat || !_items.Writer.TryWrite(new InboxItem(frame, null)))
            frame.Release();
    }

    /// <summary>One stream ended cleanly; the neighbour has left once all have (their frames are all delivered by then).</summary>
    public void StreamEnded(string who)
    {
        if (Interlocked.Increment(ref _endedStreams) == channels)
            _items.Writer.TryWrite(new InboxItem(null, $"{who} closed its connections"));
    }

    public void Fail(string reason) => _items.Writer.TryWrite(new InboxItem(null, reason));

    private void Heard() => Interlocked.Exchange(ref _lastHeard, Environment.TickCount64);
}
