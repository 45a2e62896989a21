using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace GanCluster.Collective;

/// <summary>
/// One rank's view of a static ring: who it is, where every rank listens, the run's shared secret, and the
/// transport and failure-detection settings. Rank r receives from r − 1 and sends to r + 1 (mod N).
/// </summary>
public sealed record RingOptions
{
    public required string RunId { get; init; }
    public required int Rank { get; init; }

    /// <summary>host:port of every rank, indexed by rank; the world size is its length.</summary>
    public required IReadOnlyList<string> Endpoints { get; init; }

    /// <summary>Every call between peers carries it; a call without it is refused (gRPC Unauthenticated).</summary>
    public required string Secret { get; init; }

    /// <summary>
    /// Parallel HTTP/2 connections on every link; chunks are spread over them round-robin. Null (the default) lets
    /// each link choose (<see cref="ChannelsOnLink"/>).
    /// </summary>
    public int? Channels { get; init; }

    /// <summary>
    /// The connections on the link from rank <paramref name="sender"/> to its right neighbour; both ends work it out
    /// alike from the endpoints. Unless <see cref="Channels"/> says otherwise: one between ranks on the same host, where
    /// every connection's streams compete for the cores that move the bytes (on 2 cores one connection moved 64 MB
    /// in 13–37% less time than four, bench/README.md, "How many connections"), and four across hosts, where parallel TCP
    /// streams keep a long fat link full.
    /// </summary>
    public int ChannelsOnLink(int sender) =>
        Channels ?? (SameHost(Endpoints[sender], Endpoints[(sender + 1) % WorldSize]) ? 1 : 4);

    /// <summary>Whether two host:port endpoints name one host: the same host text, or both loopback. Nothing is resolved.</summary>
    public static bool SameHost(string a, string b)
    {
        static string Host(string endpoint) => endpoint[..Math.Max(0, endpoint.LastIndexOf(':'))].Trim('[', ']');
        static bool IsLoopback(string host) => host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
        var (x, y) = (Host(a), Host(b));
        return x.Equals(y, StringComparison.OrdinalIgnoreCase) || (IsLoopback(x) && IsLoopback(y));
    }

    /// <summary>Bytes per frame; a segment is cut into chunks of this size, which are forwarded as soon as they are reduced.</summary>
    public int ChunkBytes { get; init; } = 1 << 20;

    /// <summary>A left neighbour that sends nothing (not even a heartbeat) for this long is declared dead.</summary>
    public TimeSpan PeerTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The deadline of one collective from its start, however alive the peers look.</summary>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>How long to wait for the right neighbour to come up at start.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>This rank's certificate, with its private key. When set, every ring link runs over TLS; off by default.</summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>The authority that issued every rank's <see cref="Certificate"/>: the only one a rank trusts for its neighbour's.</summary>
    public X509Certificate2? CertificateAuthority { get; init; }

    public bool UsesTls => Certificate is not null;

    /// <summary>
    /// How a rank reaches its left neighbour. TCP by default: on this 2-core machine a Unix domain socket was no faster
    /// (bench/README.md, "Unix domain sockets"), since the bytes' cost is in the HTTP/2 stacks above the socket.
    /// </summary>
    public RingTransport Transport { get; init; } = RingTransport.Tcp;

    /// <summary>Where ranks put their Unix domain sockets; peers on one host must agree (the default does).</summary>
    public string SocketDirectory { get; init; } = DefaultSocketDirectory;

    public static string DefaultSocketDirectory => Path.Combine(Path.GetTempPath(), "gancluster-ring");

    /// <summary>
    /// The Unix domain socket rank <paramref name="rank"/> serves beside its TCP endpoint. Both neighbours derive it from
    /// the run, the rank and its endpoint, so nothing has to be exchanged; it is short enough for sun_path (108 bytes).
    /// </summary>
    public string SocketPath(int rank)
    {
        var key = SHA256.HashData(Encoding.UTF8.GetBytes($"{RunId}\n{rank}\n{Endpoints[rank]}"));
        return Path.Combine(SocketDirectory, $"{Convert.ToHexStringLower(key)[..16]}-r{rank}.sock");
    }

    public int WorldSize => Endpoints.Count;
    public int Left => (Rank + WorldSize - 1) % WorldSize;
    public int Right => (Rank + 1) % WorldSize;

    public void Validate()
    {
        if (string.IsNullOrEmpty(RunId))
            throw new ArgumentException("a ring needs a run id");
        if (WorldSize < 1 || Rank < 0 || Rank >= WorldSize)
            throw new ArgumentOutOfRangeException(nameof(Rank), $"rank {Rank} is outside a world of size {WorldSize}");
        if (Secret.Length < 16)
            throw new ArgumentException("the run secret must have at least 16 characters");
        if (Channels is { } channels && channels is < 1 or > 64)
            throw new ArgumentOutOfRangeException(nameof(Channels), Channels, "channels must be 1..64");
        if (ChunkBytes < 1024 || ChunkBytes % sizeof(float) != 0 || ChunkBytes > 16 << 20)
            throw new ArgumentOutOfRangeException(nameof(ChunkBytes), ChunkBytes, "chunk bytes must be a multiple of 4 between 1 KiB and 16 MiB");
        if ((Certificate is null) != (CertificateAuthority is null))
            throw new ArgumentException($"ring TLS needs both {nameof(Certificate)} and {nameof(CertificateAuthority)}, or neither");
        if (Certificate is { HasPrivateKey: false })
            throw new ArgumentException($"the ring's {nameof(Certificate)} has no private key: a rank cannot serve TLS with it");
        foreach (var endpoint in Endpoints)
            _ = ParseEndpoint(endpoint);
        if (Transport != RingTransport.Tcp && Encoding.UTF8.GetByteCount(SocketPath(Rank)) > 107)
            throw new ArgumentException($"the ring's socket directory '{SocketDirectory}' is too long for a Unix domain socket path (108 bytes)");
    }

    public static IPEndPoint ParseEndpoint(string endpoint)
    {
        var colon = endpoint.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(endpoint[(colon + 1)..], out var port) || port is < 1 or > 65535)
            throw new ArgumentException($"'{endpoint}' is not host:port");
        var host = endpoint[..colon];
        var address = host == "localhost" ? IPAddress.Loopback
            : IPAddress.TryParse(host, out var parsed) ? parsed
            : Dns.GetHostAddresses(host).FirstOrDefault() ?? throw new ArgumentException($"'{host}' does not resolve");
        return new IPEndPoint(address, port);
    }
}

/// <summary>The link to the left neighbour.</summary>
public enum RingTransport
{
    /// <summary>A Unix domain socket when the neighbour serves one on this host (a socket file that accepts), TCP otherwise.</summary>
    Auto,

    /// <summary>TCP to the neighbour's endpoint, even on one host; no socket is served.</summary>
    Tcp,

    /// <summary>Only the Unix domain socket: an error when the neighbour is on another host.</summary>
    UnixSocket,
}
