using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace GanCluster.Collective;

/// <summary>
/// The proofs of the ring's mutual handshake: HMAC-SHA256 under the run's secret over a transcript of the run, the
/// world size, both ranks and both nonces. The secret itself never goes on the wire.
/// </summary>
/// <remarks>
/// The client (a rank connecting to its left neighbour) sends a fresh nonce in Hello. The server answers with its own
/// nonce and its proof, which the client checks before it sends anything else; the client then proves itself in its
/// Pull request. The two proofs carry different role labels, so neither can stand in for the other, and fresh nonces
/// on both sides mean a recorded proof never verifies again (<see cref="RingChallenges"/> lets each challenge count once).
/// </remarks>
internal sealed class RingHandshake
{
    public const int NonceBytes = 32;

    private const string Protocol = "gancluster-ring-handshake-v1";

    private readonly byte[] _key;
    private readonly string _runId;
    private readonly int _worldSize;

    public RingHandshake(string secret, string runId, int worldSize) =>
        (_key, _runId, _worldSize) = (Encoding.UTF8.GetBytes(secret), runId, worldSize);

    public RingHandshake(RingOptions options) : this(options.Secret, options.RunId, options.WorldSize)
    {
    }

    public static byte[] NewNonce() => RandomNumberGenerator.GetBytes(NonceBytes);

    /// <summary>What the server (rank <paramref name="server"/>) answers to prove itself to its right neighbour.</summary>
    public byte[] ServerProof(int server, int client, ReadOnlySpan<byte> clientNonce, ReadOnlySpan<byte> serverNonce) =>
        Proof("server", server, client, clientNonce, serverNonce);

    /// <summary>What the client (rank <paramref name="client"/>) sends to prove itself to its left neighbour.</summary>
    public byte[] ClientProof(int server, int client, ReadOnlySpan<byte> clientNonce, ReadOnlySpan<byte> serverNonce) =>
        Proof("client", server, client, clientNonce, serverNonce);

    public bool IsServerProof(ReadOnlySpan<byte> presented, int server, int client, ReadOnlySpan<byte> clientNonce, ReadOnlySpan<byte> serverNonce) =>
        CryptographicOperations.FixedTimeEquals(presented, ServerProof(server, client, clientNonce, serverNonce));

    public bool IsClientProof(ReadOnlySpan<byte> presented, int server, int client, ReadOnlySpan<byte> clientNonce, ReadOnlySpan<byte> serverNonce) =>
        CryptographicOperations.FixedTimeEquals(presented, ClientProof(server, client, clientNonce, serverNonce));

    private byte[] Proof(string role, int server, int client, ReadOnlySpan<byte> clientNonce, ReadOnlySpan<byte> serverNonce)
    {
        if (clientNonce.Length != NonceBytes || serverNonce.Length != NonceBytes)
            throw new ArgumentException($"handshake nonces have {NonceBytes} bytes");
        // Every variable-length field is length-prefixed, so no two transcripts share their bytes.
        using var transcript = new MemoryStream();
        Write(transcript, Encoding.UTF8.GetBytes(Protocol));
        Write(transcript, Encoding.UTF8.GetBytes(role));
        Write(transcript, Encoding.UTF8.GetBytes(_runId));
        Write(transcript, _worldSize);
        Write(transcript, server);
        Write(transcript, client);
        Write(transcript, clientNonce);
        Write(transcript, serverNonce);
        return HMACSHA256.HashData(_key, transcript.ToArray());
    }

    private static void Write(MemoryStream transcript, ReadOnlySpan<byte> field)
    {
        Write(transcript, field.Length);
        transcript.Write(field);
    }

    private static void Write(MemoryStream transcript, int value)
    {
        Span<byte> bytes = stackalloc byte[sizeof(int)];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        transcript.Write(bytes);
    }
}
