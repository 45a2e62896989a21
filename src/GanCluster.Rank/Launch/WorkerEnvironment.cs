using System.Globalization;
using GanCluster.Collective;

namespace GanCluster.Rank.Launch;

/// <summary>
/// How a launcher (the static one here, or the control plane's) tells a worker process its place in the ring:
/// environment variables, so the secret never shows in a process listing.
/// </summary>
public static class WorkerEnvironment
{
    public const string Rank = "GANCLUSTER_RANK";
    public const string Ring = "GANCLUSTER_RING";
    public const string Secret = "GANCLUSTER_RUN_SECRET";
    public const string RunId = "GANCLUSTER_RUN_ID";
    public const string Channels = "GANCLUSTER_RING_CHANNELS";
    public const string ChunkBytes = "GANCLUSTER_RING_CHUNK_BYTES";
    public const string PeerTimeoutSeconds = "GANCLUSTER_PEER_TIMEOUT_S";
    public const string Transport = "GANCLUSTER_RING_TRANSPORT";

    public static IDictionary<string, string> For(RingOptions options)
    {
        var variables = new Dictionary<string, string>
        {
            [Rank] = options.Rank.ToString(CultureInfo.InvariantCulture),
            [Ring] = string.Join(',', options.Endpoints),
            [Secret] = options.Secret,
            [RunId] = options.RunId,
            [ChunkBytes] = options.ChunkBytes.ToString(CultureInfo.InvariantCulture),
            [PeerTimeoutSeconds] = options.PeerTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            [Transport] = options.Transport.ToString(),
        };
        if (options.Channels is { } channels)
            variables[Channels] = channels.ToString(CultureInfo.InvariantCulture);
        return variables;
    }

    /// <summary>The ring options of this process, or an error naming the missing variable.</summary>
    public static RingOptions Read(Func<string, string?>? lookup = null)
    {
        lookup ??= Environment.GetEnvironmentVariable;
        string Require(string name) => lookup(name) is { Length: > 0 } v ? v
            : throw new ArgumentException($"{name} is not set: worker processes are started by `gancluster train --world-size N` or by the control plane");
        var defaults = new RingOptions { RunId = "-", Rank = 0, Endpoints = ["127.0.0.1:1"], Secret = "-" };
        return new RingOptions
        {
            Rank = int.Parse(Require(Rank), CultureInfo.InvariantCulture),
            Endpoints = Require(Ring).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            Secret = Require(Secret),
            RunId = Require(RunId),
            Channels = lookup(Channels) is { Length: > 0 } c
                ? int.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count
                    : throw new ArgumentException($"{Channels} is '{c}': expected a number of connections per link, 1..64 (unset: one on one host, four across hosts)")
                : null,
            ChunkBytes = lookup(ChunkBytes) is { } b ? int.Parse(b, CultureInfo.InvariantCulture) : defaults.ChunkBytes,
            PeerTimeout = lookup(PeerTimeoutSeconds) is { } t ? TimeSpan.FromSeconds(double.Parse(t, CultureInfo.InvariantCulture)) : defaults.PeerTimeout,
            Transport = lookup(Transport) is { Length: > 0 } kind
                ? Enum.TryParse<RingTransport>(kind, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) ? parsed
                    : throw new ArgumentException($"{Transport} is '{kind}': expected {string.Join(", ", Enum.GetNames<RingTransport>())}")
                : defaults.Transport,
        };
    }
}
