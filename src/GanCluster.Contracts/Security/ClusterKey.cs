using System.Security.Cryptography;
using System.Text;

namespace GanCluster.Contracts.Security;

/// <summary>
/// The cluster's one secret: 32 random bytes in a 600 file that every silo reads (<c>STATE/cluster-key</c> on a
/// local cluster, a mounted Secret in production). Everything else that must be secret is derived from it with
/// HMAC-SHA256, so nothing derived is ever stored: a worker's credential (what it proves its id with), the API's
/// credential, and each attempt's ring secret.
/// </summary>
public sealed class ClusterKey
{
    public const int Length = 32;

    private readonly byte[] _key;

    private ClusterKey(byte[] key) => _key = key;

    /// <summary>Reads the key file; a missing, unreadable or short one is an <see cref="InvalidOperationException"/> naming the file.</summary>
    public static ClusterKey Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromHexString(File.ReadAllText(path).Trim());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            throw new InvalidOperationException($"cluster key {path}: {(e is FormatException ? "not hex text" : e.Message)}");
        }
        return bytes.Length >= Length ? new ClusterKey(bytes) : throw new InvalidOperationException($"cluster key {path}: {bytes.Length} bytes, at least {Length} are needed");
    }

    /// <summary>Reads the key file, creating it (mode 600 from the start) with a fresh random key when missing.</summary>
    public static ClusterKey LoadOrCreate(string path)
    {
        if (!File.Exists(path))
        {
            try
            {
                PrivateFiles.WriteNew(path, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(Length)));
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another silo of this cluster created it first: use theirs.
            }
        }
        return Load(path);
    }

    /// <summary>What worker <paramref name="workerId"/> presents on every call to prove that it is that worker.</summary>
    public string WorkerCredential(string workerId) => Derive("worker", workerId);

    /// <summary>What the silos' own API presents on its calls into the grains.</summary>
    public string ApiCredential() => Derive("api", "");

    /// <summary>The ring secret of one attempt of one run: new for every attempt, never stored.</summary>
    public string RingSecret(string runId, int attempt) => Derive("ring", $"{runId}#{attempt}");

    /// <summary>Compares a presented credential with the expected one in constant time.</summary>
    public static bool Matches(string expected, string? presented) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(presented));

    private string Derive(string purpose, string subject) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"gancluster/{purpose}/{subject}")));
}
