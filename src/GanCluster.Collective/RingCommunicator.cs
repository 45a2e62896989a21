using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using GanCluster.Collective.Wire;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;

namespace GanCluster.Collective;

/// <summary>
/// One rank of a static ring over gRPC. It serves <c>Collective</c> for its left neighbour and keeps
/// <see cref="RingOptions.Channels"/> client streams open to its right neighbour.
/// </summary>
/// <remarks>
/// All-reduce is the bandwidth-optimal ring: N − 1 reduce-scatter rounds, then N − 1 all-gather rounds, each
/// moving one of N segments to the right. Segments travel as chunks, and a chunk is forwarded to the next round
/// the moment it has been reduced, so rounds overlap (pipelining) and the chunks of a round spread over several
/// HTTP/2 connections. Every segment is summed in the same order on one rank and then copied everywhere, so all
/// ranks end with bitwise identical results. Each collective has a deadline, and a left neighbour that stops
/// sending even heartbeats is declared dead; a rank that gives up tells its right neighbour why, so the reason
/// (naming the lost peer and the step) goes round the ring and every rank stops with it. Neighbours authenticate
/// each other on every channel without sending the run's secret (<see cref="RingHandshake"/>).
/// </remarks>
public sealed class RingCommunicator : IAsyncDisposable
{
    private readonly RingOptions _options;
    private readonly RingInbox _inbox;
    private readonly RingOutbox _outbox;
    private readonly WebApplication _server;
    private readonly Dictionary<ulong, List<ReceivedFrame>> _early = [];
    private readonly CancellationTokenSource _stopping = new();
    private LeftLink[] _links = [];
    private Task _heartbeats = Task.CompletedTask;
    private ulong _sequence;
    private WireEncoding _encoding;
    private long _chunkCounter;
    private string? _failure;
    private int _inFlight;
    private TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private RingCommunicator(RingOptions options, RingInbox inbox, RingOutbox outbox, WebApplication server)
    {
        (_options, _inbox, _outbox, _server) = (options, inbox, outbox, server);
        outbox.FrameSent = SendDone;
        outbox.SendFailed = SendFailed;
    }

    public int Rank => _options.Rank;
    public int WorldSize => _options.WorldSize;

    /// <summary>The HTTP/2 connections from the left neighbour (<see cref="RingOptions.ChannelsOnLink"/>).</summary>
    public int LeftConnections => _links.Length;

    /// <summary>How this rank reaches its left neighbour: <see cref="RingTransport.UnixSocket"/> when every channel does so, else TCP.</summary>
    public RingTransport LeftTransport => _links.Length > 0 && _links.All(l => l.Transport == RingTransport.UnixSocket) ? RingTransport.UnixSocket : RingTransport.Tcp;

    /// <summary>Collectives completed so far.</summary>
    public ulong Completed => _sequence;

    /// <summary>Starts this rank's server, then connects to the right neighbour and waits for the left one, within <see cref="RingOptions.ConnectTimeout"/>.</summary>
    public static async Task<RingCommunicator> StartAsync(RingOptions options, CancellationToken cancellation = default)
    {
        options.Validate();
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("the ring sends float32 little-endian");
        var inbox = new RingInbox(options.ChannelsOnLink(options.Left));
        var outbox = new RingOutbox(options.ChannelsOnLink(options.Rank));
        var server = RingServer.Build(options, outbox);
        try
        {
            await server.StartAsync(cancellation);
            if (options.Transport != RingTransport.Tcp)
                UnixSocketLink.RestrictToOwner(options.SocketPath(options.Rank));
        }
        catch (IOException e)
        {
            throw new CollectiveException($"rank {options.Rank} cannot listen on {options.Endpoints[options.Rank]}: {e.Message}", e);
        }
        var ring = new RingCommunicator(options, inbox, outbox, server);
        try
        {
            if (options.WorldSize > 1)
                await ring.ConnectAsync(cancellation);
            return ring;
        }
        catch
        {
            await ring.DisposeAsync();
            throw;
        }
    }

    /// <summary>Joins the left neighbour (both proving the run's secret) and pulls from it on every channel; waits until the right neighbour pulls from us.</summary>
    private async Task ConnectAsync(CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        var handshake = new RingHandshake(_options);
        // The first channel waits for the neighbour to come up; the others join a listener known to be there.
        var first = await LeftLink.OpenAsync(_options, handshake, channel: 0, _inbox, clock, cancellation);
        var others = Enumerable.Range(1, _options.ChannelsOnLink(_options.Left) - 1).Select(i => LeftLink.OpenAsync(_options, handshake, i, _inbox, clock, cancellation)).ToArray();
        try
        {
            _links = [first, .. await Task.WhenAll(others)];
        }
        catch
        {
            first.Dispose();
            foreach (var opened in others.Where(t => t.IsCompletedSuccessfully))
                opened.Result.Dispose();
            throw;
        }
        var remaining = _options.ConnectTimeout - clock.Elapsed;
        if (await Task.WhenAny(_outbox.Attached, Task.Delay(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, cancellation)) != _outbox.Attached)
            throw new CollectiveException($"rank {_options.Rank}: rank {_options.Right} ({_options.Endpoints[_options.Right]}) did not join within {_options.ConnectTimeout.TotalSeconds:0} s");
        _heartbeats = SendHeartbeatsAsync(_stopping.Token);
    }

    /// <summary>Sums <paramref name="buffer"/> over all ranks, in place; every rank ends with the same bits.</summary>
    /// <param name="label">What this collective is for ("step 37, D gradients"); errors name it.</param>
    /// <param name="encoding">
    /// How the values travel. With <see cref="WireEncoding.BFloat16"/> each rank still adds in float32, and the owner of
    /// each reduced segment rounds it to bfloat16 before sending it round, so every rank ends with the same bits.
    /// </param>
    public void AllReduceSum(FloatBuffer buffer, string label, WireEncoding encoding = WireEncoding.Float32) =>
        AllReduceSumAsync(buffer, label, encoding).GetAwaiter().GetResult();

    /// <summary>Rank 0's values everywhere: the other ranks contribute zeros to a sum, which is exact.</summary>
    public void Broadcast(FloatBuffer buffer, string label)
    {
        if (Rank != 0)
            buffer.Slice(0, (int)buffer.Length).Clear();
        AllReduceSum(buffer, label);
    }

    public async Task AllReduceSumAsync(FloatBuffer buffer, string label, WireEncoding encoding = WireEncoding.Float32)
    {
        if (_failure is not null)
            throw new CollectiveException(_failure);
        if (!Enum.IsDefined(encoding))
            throw new ArgumentOutOfRangeException(nameof(encoding), encoding, "not a wire encoding");
        _encoding = encoding;
        var sequence = ++_sequence;
        var n = WorldSize;
        if (n == 1 || buffer.Length == 0)
            return;
        var clock = Stopwatch.StartNew();
        _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _inFlight, 1);

        var rounds = 2 * (n - 1);
        long expected = 0;
        for (var t = 0; t < rounds; t++)
            expected += SegmentLength(buffer.Length, ReceivedSegment(t));
        SendSegment(buffer, sequence, round: 0, segment: Rank);

        long received = 0;
        if (_early.Remove(sequence, out var early))
            foreach (var frame in early)
                received += Apply(buffer, sequence, frame, label);
        while (received < expected)
        {
            var item = await NextAsync(clock, label);
            if (item.Failure is not null)
                throw Fail($"{item.Failure} during {label}");
            var frame = item.Frame!;
            if (frame.Abort.Length > 0)
                throw Fail(frame.Abort);
            if (frame.Sequence > sequence)
            {
                (_early.TryGetValue(frame.Sequence, out var list) ? list : _early[frame.Sequence] = []).Add(frame);
                continue;
            }
            if (frame.Sequence < sequence)
                throw Fail($"rank {Rank}: protocol error: a frame of collective {frame.Sequence} arrived during collective {sequence} ({label})");
            received += Apply(buffer, sequence, frame, label);
        }
        if (Interlocked.Decrement(ref _inFlight) == 0)
            _drained.TrySetResult();
        var left = _options.OperationTimeout - clock.Elapsed;
        if (await Task.WhenAny(_drained.Task, Task.Delay(left > TimeSpan.Zero ? left : TimeSpan.Zero)) != _drained.Task)
            throw Fail($"rank {Rank}: rank {_options.Right} ({_options.Endpoints[_options.Right]}) did not take our data within {_options.OperationTimeout.TotalSeconds:0} s during {label}");
        if (_failure is not null)
            throw new CollectiveException(_failure);
    }

    /// <summary>Adds (reduce-scatter) or copies (all-gather) a chunk, then forwards it to the next round.</summary>
    private long Apply(FloatBuffer buffer, ulong sequence, ReceivedFrame frame, string label)
    {
        try
        {
            return ApplyAndForward(buffer, sequence, frame, label);
        }
        finally
        {
            frame.Release();
        }
    }

    private long ApplyAndForward(FloatBuffer buffer, ulong sequence, ReceivedFrame frame, string label)
    {
        var n = WorldSize;
        var round = (int)frame.Round;
        if (frame.Encoding != _encoding)
            throw Fail($"rank {Rank}: protocol error: rank {_options.Left} sent {frame.Encoding} values for {label}, which this rank reduces as {_encoding}");
        var width = BytesPerValue(_encoding);
        var count = frame.Length / width;
        var offset = (long)frame.Offset;
        var segment = round < 2 * (n - 1) ? ReceivedSegment(round) : -1;
        var (start, length) = segment < 0 ? (0L, 0L) : (SegmentStart(buffer.Length, segment), SegmentLength(buffer.Length, segment));
        if (segment < 0 || frame.Length % width != 0 || offset < start || offset + count > start + length)
            throw Fail($"rank {Rank}: protocol error: rank {_options.Left} sent {frame.Length} bytes at float {offset} for round {round} of {label}, outside segment {segment} [{start}, {start + length})");
        var target = buffer.Slice(offset, count);
        var reduce = round < n - 1;
        if (_encoding == WireEncoding.BFloat16)
        {
            if (reduce)
                BFloat16.AddInto(target, frame.Data);
            else
                BFloat16.DecodeInto(target, frame.Data);
        }
        else if (reduce)
            FloatBuffer.Add(target, MemoryMarshal.Cast<byte, float>(frame.Data));
        else
            MemoryMarshal.Cast<byte, float>(frame.Data).CopyTo(target);
        if (round + 1 < 2 * (n - 1))
        {
            var next = Chunk(buffer, sequence, round + 1, offset, count);
            // This rank owns the chunk's final sum (the last reduce-scatter round): it keeps what the others will decode
            // from this very frame, so all ranks end with the same bits.
            if (round == n - 2 && next.Encoded is { } encoded)
                BFloat16.DecodeInto(target, encoded.AsSpan(0, count * BFloat16.BytesPerValue));
            Enqueue(next);
        }
        return count;
    }

    private static int BytesPerValue(WireEncoding encoding) => encoding == WireEncoding.BFloat16 ? BFloat16.BytesPerValue : sizeof(float);

    /// <summary>
    /// The frame that sends floats [offset, offset + count) of the buffer: float32 straight from the buffer (no copy),
    /// bfloat16 encoded into a pooled array.
    /// </summary>
    private OutgoingFrame Chunk(FloatBuffer buffer, ulong sequence, int round, long offset, int count)
    {
        var frame = new RingFrame { Sequence = sequence, Round = (uint)round, Offset = (ulong)offset, Encoding = (uint)_encoding };
        if (_encoding == WireEncoding.Float32)
        {
            frame.Data = UnsafeByteOperations.UnsafeWrap(buffer.Bytes(offset, count));
            return new OutgoingFrame(frame, Tracked: true);
        }
        var bytes = count * BFloat16.BytesPerValue;
        var encoded = OutgoingFrame.Payloads.Rent(bytes);
        BFloat16.Encode(buffer.Slice(offset, count), encoded);
        frame.Data = UnsafeByteOperations.UnsafeWrap(encoded.AsMemory(0, bytes));
        return new OutgoingFrame(frame, Tracked: true, encoded);
    }

    private void SendSegment(FloatBuffer buffer, ulong sequence, int round, int segment)
    {
        var start = SegmentStart(buffer.Length, segment);
        var end = start + SegmentLength(buffer.Length, segment);
        // Frames of the same size in bytes whatever the encoding.
        var chunk = _options.ChunkBytes / BytesPerValue(_encoding);
        for (var offset = start; offset < end; offset += chunk)
            Enqueue(Chunk(buffer, sequence, round, offset, (int)Math.Min(chunk, end - offset)));
    }

    /// <summary>The segment rank r receives in round t: (r − t − 1) in reduce-scatter, (r − t′) in all-gather round t′.</summary>
    private int ReceivedSegment(int round)
    {
        var n = WorldSize;
        var shift = round < n - 1 ? round + 1 : round - (n - 1);
        return ((Rank - shift) % n + n) % n;
    }

    private long SegmentStart(long length, int segment) => length * segment / WorldSize;

    private long SegmentLength(long length, int segment) => SegmentStart(length, segment + 1) - SegmentStart(length, segment);

    private void Enqueue(OutgoingFrame frame)
    {
        if (frame.Tracked)
            Interlocked.Increment(ref _inFlight);
        _outbox.Enqueue((int)(Interlocked.Increment(ref _chunkCounter) % _outbox.Channels), frame);
    }

    private void SendDone()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0)
            _drained.TrySetResult();
    }

    /// <summary>The next inbox item, or a failure when the left neighbour falls silent or the collective's deadline passes.</summary>
    private async ValueTask<InboxItem> NextAsync(Stopwatch clock, string label)
    {
        var reader = _inbox.Reader;
        while (true)
        {
            if (reader.TryRead(out var item))
                return item;
            var silentFor = Environment.TickCount64 - _inbox.LastHeard;
            var peerLeft = (long)_options.PeerTimeout.TotalMilliseconds - silentFor;
            var opLeft = (long)(_options.OperationTimeout - clock.Elapsed).TotalMilliseconds;
            if (peerLeft <= 0)
                throw Fail($"rank {_options.Left} ({_options.Endpoints[_options.Left]}) sent nothing for {silentFor / 1000.0:0.0} s during {label}: it is dead or hung");
            if (opLeft <= 0)
                throw Fail($"{label} missed its deadline of {_options.OperationTimeout.TotalSeconds:0} s on rank {Rank} (rank {_options.Left} is alive but slow)");
            using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(Math.Min(peerLeft, opLeft)));
            try
            {
                await reader.WaitToReadAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>Gives up: remembers why, tells the right neighbour (best effort), and returns the exception to throw.</summary>
    private CollectiveException Fail(string reason)
    {
        if (_failure is null)
        {
            _failure = reason;
            if (WorldSize > 1)
                _outbox.Enqueue(0, new OutgoingFrame(new RingFrame { Abort = reason }, false));
        }
        return new CollectiveException(_failure);
    }

    /// <summary>Records a failed send so that the collective loop wakes up and stops.</summary>
    private void SendFailed(Exception e)
    {
        _inbox.Fail($"rank {_options.Right} ({_options.Endpoints[_options.Right]}) stopped taking data ({e.GetType().Name}: {e.Message})");
        _drained.TrySetResult();
    }

    private async Task SendHeartbeatsAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(_options.HeartbeatInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
                _outbox.Enqueue(0, new OutgoingFrame(new RingFrame { Heartbeat = true }, false));
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _heartbeats;
        // Let the right neighbour pull what is queued (its last chunks), then stop serving and stop pulling.
        _outbox.Complete();
        try
        {
            using var stop = new CancellationTokenSource(_failure is null ? TimeSpan.FromSeconds(5) : TimeSpan.FromSeconds(1));
            await _server.StopAsync(stop.Token);
        }
        catch (OperationCanceledException)
        {
        }
        foreach (var link in _links)
            link.Dispose();
        await _server.DisposeAsync();
        if (_options.Transport != RingTransport.Tcp)
            UnixSocketLink.Remove(_options.SocketPath(_options.Rank));
        _stopping.Dispose();
    }
}
