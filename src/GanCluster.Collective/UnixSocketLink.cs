using System.Net.Sockets;

namespace GanCluster.Collective;

/// <summary>
/// Connects a ring channel to the left neighbour: over its Unix domain socket when the neighbour serves one on this host
/// (the socket file exists and accepts), over TCP to its endpoint otherwise. On one host a Unix socket skips the TCP/IP
/// stack (no segmentation, checksums or loopback interface) while HTTP/2 and gRPC above it stay the same, handshake included.
/// </summary>
internal sealed class UnixSocketLink(RingOptions options)
{
    private readonly string _path = options.SocketPath(options.Left);

    /// <summary>Socket buffers for a Unix link: the kernel's default (208 KiB) holds a fifth of one 1 MiB chunk.</summary>
    public const int BufferBytes = 4 << 20;

    /// <summary>The transport of the last connection made.</summary>
    public RingTransport Used { get; private set; } = RingTransport.Tcp;

    /// <summary><see cref="SocketsHttpHandler.ConnectCallback"/>: the HTTP host and port stay the TCP endpoint's, so TLS names the same peer on either transport.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellation)
    {
        if (options.Transport != RingTransport.Tcp && (File.Exists(_path) || options.Transport == RingTransport.UnixSocket))
        {
            var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { ReceiveBufferSize = BufferBytes, SendBufferSize = BufferBytes };
            try
            {
                await unix.ConnectAsync(new UnixDomainSocketEndPoint(_path), cancellation);
                Used = RingTransport.UnixSocket;
                return new NetworkStream(unix, ownsSocket: true);
            }
            catch (SocketException) when (options.Transport == RingTransport.Auto)
            {
                // A stale file, or a neighbour that has not bound it yet: TCP reaches it either way.
                unix.Dispose();
            }
            catch (SocketException e)
            {
                unix.Dispose();
                throw new IOException($"no Unix domain socket at {_path} accepts ({e.SocketErrorCode}): rank {options.Left} is on another host, "
                    + "serves TCP only, or is not up yet", e);
            }
            catch
            {
                unix.Dispose();
                throw;
            }
        }
        var tcp = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await tcp.ConnectAsync(context.DnsEndPoint, cancellation);
            Used = RingTransport.Tcp;
            return new NetworkStream(tcp, ownsSocket: true);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>Makes the socket directory (owner only) and removes a stale socket of this rank; returns the path to bind.</summary>
    public static string PrepareListener(RingOptions options)
    {
        var path = options.SocketPath(options.Rank);
        var directory = Path.GetDirectoryName(path)!;
        if (OperatingSystem.IsWindows())
            Directory.CreateDirectory(directory);
        else if (!Directory.Exists(directory))
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        // Only this rank of this run at this endpoint binds this path: a file there is a dead process's.
        Remove(path);
        return path;
    }

    /// <summary>Lets only this user connect (the handshake still proves the run's secret on every channel).</summary>
    public static void RestrictToOwner(string path)
    {
        if (!OperatingSystem.IsWindows() && File.Exists(path))
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    public static void Remove(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
