using System.ComponentModel.DataAnnotations;
using System.Net;
using GanCluster.Contracts.Security;
using GanCluster.Hosting.Storage;

namespace GanCluster.Silo;

/// <summary>
/// The silo's settings (section <c>Silo</c>): where its state lives and which ports it uses. Without
/// <see cref="PostgresFile"/> the silo is the embedded one (localhost clustering, grain state in <c>STATE/state.db</c>);
/// with it, one of several silos sharing a PostgreSQL database.
/// </summary>
public sealed class SiloOptions : IValidatableObject
{
    public const string Section = "Silo";

    public string StateDirectory { get; set; } = "";

    /// <summary>The address of the API, silo and gateway ports.</summary>
    public string Host { get; set; } = "127.0.0.1";

    [Range(1, 65535)]
    public int ApiPort { get; set; } = 50051;

    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>The API's bearer token file (created with mode 600 when missing); <c>STATE/api-token</c> by default.</summary>
    public string? TokenFile { get; set; }

    /// <summary>The cluster key (created with mode 600 when missing); <c>STATE/cluster-key</c> by default. Every silo of a cluster needs the same one.</summary>
    public string? ClusterKeyFile { get; set; }

    /// <summary>This silo's TLS certificate with its key (PKCS#12); with <see cref="TlsAuthorityFile"/>, every silo and gateway connection is mutual TLS.</summary>
    public string? TlsCertificateFile { get; set; }

    /// <summary>The certificate authority (PEM) that every peer's certificate must chain to.</summary>
    public string? TlsAuthorityFile { get; set; }

    public string ClusterKeyPath => ClusterKeyFile is { Length: > 0 } file ? Path.GetFullPath(file) : Path.Combine(StatePath, "cluster-key");

    public ClusterTls? Tls() => ClusterTls.From(TlsCertificateFile, TlsAuthorityFile, out _);

    /// <summary>A file holding the Npgsql connection string of the shared store; unset for the embedded silo.</summary>
    public string? PostgresFile { get; set; }

    [RegularExpression("^[A-Za-z0-9_-]+$", ErrorMessage = "must be letters, digits, '-' or '_'")]
    public string ClusterId { get; set; } = PostgresStore.DefaultClusterId;

    public string StatePath => Path.GetFullPath(StateDirectory);

    public string DatabasePath => Path.Combine(StatePath, "state.db");

    public string TokenPath => TokenFile is { Length: > 0 } file ? Path.GetFullPath(file) : Path.Combine(StatePath, "api-token");

    /// <summary>The shared store, read from its file (a method: validation reads every property, and the file may be bad).</summary>
    public PostgresStore? SharedStore() => PostgresFile is { Length: > 0 } file ? PostgresStore.FromFile(file, ClusterId) : null;

    public string DescribeStore() => SharedStore()?.Describe() ?? $"state {DatabasePath}";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(StateDirectory))
            yield return new ValidationResult("is required: the directory of the silo's state (and its API token)", [nameof(StateDirectory)]);
        if (!IPAddress.TryParse(Host, out _))
            yield return new ValidationResult("must be an IP address such as 127.0.0.1", [nameof(Host)]);
        if (PostgresFile is { Length: > 0 } file && PostgresStore.Problem(file) is { } problem)
            yield return new ValidationResult(problem, [nameof(PostgresFile)]);
        ClusterTls.From(TlsCertificateFile, TlsAuthorityFile, out var tls);
        if (tls is not null)
            yield return new ValidationResult(tls, [nameof(TlsCertificateFile)]);
    }
}
