using System.Collections.Concurrent;

namespace GanCluster.Collective;

/// <summary>A challenge a server issued in Hello: who asked, with which nonce, and when.</summary>
internal sealed record Challenge(int ClientRank, byte[] ClientNonce, long IssuedAt);

/// <summary>
/// The challenges a server has issued and no Pull has redeemed yet. Redeeming one removes it, so a proof counts
/// once; an unredeemed one expires, and there are never more than <paramref name="capacity"/> open at a time.
/// </summary>
internal sealed class RingChallenges(TimeSpan lifetime, int capacity = 1024)
{
    private readonly ConcurrentDictionary<string, Challenge> _open = new();

    /// <summary>A fresh server nonce for this client, or null when too many challenges are open.</summary>
    public byte[]? Issue(int clientRank, byte[] clientNonce)
    {
        if (_open.Count >= capacity)
            foreach (var (key, challenge) in _open)
                if (Expired(challenge))
                    _open.TryRemove(key, out _);
        if (_open.Count >= capacity)
            return null;
        var serverNonce = RingHandshake.NewNonce();
        _open[Convert.ToHexString(serverNonce)] = new Challenge(clientRank, clientNonce, Environment.TickCount64);
        return serverNonce;
    }

    /// <summary>The open challenge with this server nonce, which is closed by this call; null when unknown, used or expired.</summary>
    public Challenge? Redeem(ReadOnlySpan<byte> serverNonce) =>
        serverNonce.Length == RingHandshake.NonceBytes && _open.TryRemove(Convert.ToHexString(serverNonce), out var challenge) && !Expired(challenge)
            ? challenge
            : null;

    private bool Expired(Challenge challenge) => Environment.TickCount64 - challenge.IssuedAt > (long)lifetime.TotalMilliseconds;
}
