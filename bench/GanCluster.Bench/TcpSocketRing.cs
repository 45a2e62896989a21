using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using GanCluster.Collective;

namespace GanCluster.Bench;

/// <summary>
/// The baseline: the same ring all-reduce (N − 1 reduce-scatter and N − 1 all-gather rounds) over one plain TCP
/// socket per neighbour, with no framing, no HTTP/2 and no protobuf. On loopback this is the physical limit the
/// gRPC ring is measured against.
/// </summary>
internal sealed class TcpSocketRing : IDisposable
{
    private readonly Socket _right;
    private readonly Socket _left;
    private readonly int _rank;
    private readonly int _worldSize;
    private byte[] _scratch = [];

    private TcpSocketRing(int rank, int worldSize, Socket right, Socket left) => (_rank, _worldSize, _right, _left) = (rank, worldSize, right, left);

    public static async Task<TcpSocketRing[]> CreateAsync(int worldSize)
    {
        var listeners = Enumerable.Range(0, worldSize).Select(_ => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)).ToArray();
        foreach (var l in listeners)
        {
            l.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            l.Listen(1);
        }
        var accepts = listeners.Select(l => l.AcceptAsync()).ToArray();
        var rights = new Socket[worldSize];
        for (var r = 0; r < worldSize; r++)
        {
            rights[r] = Tuned(new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
            await rights[r].ConnectAsync(listeners[(r + 1) % worldSize].LocalEndPoint!);
        }
        var lefts = await Task.WhenAll(accepts);
        foreach (var l in listeners)
            l.Dispose();
        return Enumerable.Range(0, worldSize).Select(r => new TcpSocketRing(r, worldSize, rights[r], Tuned(lefts[r]))).ToArray();
    }

    private static Socket Tuned(Socket s)
    {
        s.NoDelay = true;
        s.SendBufferSize = 4 << 20;
        s.ReceiveBufferSize = 4 << 20;
        return s;
    }

    /// <summary>Sums the float32 values stored in <paramref name="storage"/> over the ring, in place; sends straight from it.</summary>
    public async Task AllReduceSumAsync(byte[] storage)
    {
        var n = _worldSize;
        if (n == 1)
            return;
        var floats = storage.Length / sizeof(float);
        long Start(int segment) => (long)floats * segment / n;
        var largest = Enumerable.Range(0, n).Max(s => Start(s + 1) - Start(s)) * sizeof(float);
        if (_scratch.Length < largest)
            _scratch = new byte[largest];
        for (var round = 0; round < 2 * (n - 1); round++)
        {
            var shift = round < n - 1 ? round : round - (n - 1) - 1;
            var send = ((_rank - shift) % n + n) % n;
            var receive = ((send - 1) % n + n) % n;
            var outgoing = storage.AsMemory((int)Start(send) * sizeof(float), (int)(Start(send + 1) - Start(send)) * sizeof(float));
            var incomingLength = (int)(Start(receive + 1) - Start(receive)) * sizeof(float);
            var sending = SendAllAsync(outgoing);
            await ReceiveExactlyAsync(_scratch.AsMemory(0, incomingLength));
            await sending;
            var source = MemoryMarshal.Cast<byte, float>(_scratch.AsSpan(0, incomingLength));
            var target = MemoryMarshal.Cast<byte, float>(storage.AsSpan((int)Start(receive) * sizeof(float), incomingLength));
            if (round < n - 1)
                FloatBuffer.Add(target, source);
            else
                source.CopyTo(target);
        }
    }

    private async Task SendAllAsync(ReadOnlyMemory<byte> data)
    {
        var sent = 0;
        while (sent < data.Length)
            sent += await _right.SendAsync(data[sent..]);
    }

    private async Task ReceiveExactlyAsync(Memory<byte> target)
    {
        var got = 0;
        while (got < target.Length)
        {
            var n = await _left.ReceiveAsync(target[got..]);
            if (n == 0)
                throw new IOException("the left neighbour closed the socket");
            got += n;
        }
    }

    public void Dispose()
    {
        _right.Dispose();
        _left.Dispose();
    }
}
