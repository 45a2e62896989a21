namespace GanCluster.Contracts.Security;

/// <summary>
/// How a caller outside the silos names itself on every grain call: its worker id and the credential derived for
/// that id from the cluster key, carried in Orleans' request context (inside the TLS connection).
/// </summary>
public static class CallerCredential
{
    public const string IdKey = "gancluster-caller-id";
    public const string ProofKey = "gancluster-caller-proof";

    /// <summary>The id the API presents (not a valid worker id, so no worker can be mistaken for it).</summary>
    public const string ApiId = "@api";

    /// <summary>Reads a worker's credential file: one line of hex, written by <c>gancluster up</c> or mounted from a Secret.</summary>
    public static string Read(string path)
    {
        try
        {
            var text = File.ReadAllText(path).Trim();
            return text.Length == 64 && text.All(Uri.IsHexDigit) ? text : throw new InvalidOperationException($"credential file {path}: not a 64-digit hex credential");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"credential file {path}: {e.Message}");
        }
    }
}
