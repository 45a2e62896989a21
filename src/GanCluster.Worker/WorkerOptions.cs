using System.ComponentModel.DataAnnotations;
using GanCluster.Contracts.Security;
using GanCluster.Hosting.Storage;
using GanCluster.Rank;

namespace GanCluster.Worker;

/// <summary>
/// The worker's settings (section <c>Worker</c>). It finds the silos through the embedded silo's gateway port on
/// loopback, or, with <see cref="PostgresFile"/>, through the membership table that several silos share.
/// </summary>
public sealed class WorkerOptions : IValidatableObject
{
    public const string Section = "Worker";

    public WorkerMode Mode { get; set; } = WorkerMode.Cluster;

    /// <summary>The worker's name in the cluster; the machine's name by default.</summary>
    [RegularExpression("^[A-Za-z0-9][A-Za-z0-9._-]*$", ErrorMessage = "must be letters, digits, '.', '-' or '_'")]
    public string Id { get; set; } = Environment.MachineName;

    /// <summary>The shared checkpoint store: run directories are created under it.</summary>
    public string Store { get; set; } = "";

    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>A file holding the Npgsql connection string of the shared store (several silos); unset for the embedded silo.</summary>
    public string? PostgresFile { get; set; }

    [RegularExpression("^[A-Za-z0-9_-]+$", ErrorMessage = "must be letters, digits, '-' or '_'")]
    public string ClusterId { get; set; } = PostgresStore.DefaultClusterId;

    /// <summary>The address the ring listens on and peers reach this worker at.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>The ring's port; 0 takes a free one at start.</summary>
    [Range(0, 65535)]
    public int RingPort { get; set; }

    [Range(1, 1024, ErrorMessage = "must be at least 1")]
    public int Threads { get; set; } = 1;

    /// <summary>
    /// The folders runs may read datasets from (<c>--data-root</c>, repeatable); a relative <c>dataset.path</c>
    /// resolves against the first. The working directory when none is given.
    /// </summary>
    public List<string> DataRoots { get; set; } = [];

    /// <summary>The most memory one job may need, in MB; a spec that needs more fails at once (80% of this process's memory when 0).</summary>
    [Range(0, long.MaxValue)]
    public long MemoryLimitMegabytes { get; set; }

    /// <summary>
    /// Seconds a finished run's health series stay on the metrics endpoint, so that the scrape after its final
    /// evaluation finds them (at least two scrape intervals; the default suits Prometheus's 15 s).
    /// </summary>
    [Range(0, 86_400)]
    public double SeriesLingerSeconds { get; set; } = 60;

    /// <summary>The file holding this worker's credential (derived from the cluster key for <see cref="Id"/>; <c>gancluster up</c> writes one per worker).</summary>
    public string? CredentialFile { get; set; }

    /// <summary>This worker's TLS certificate with its key (PKCS#12); with <see cref="TlsAuthorityFile"/>, the gateway connection is mutual TLS.</summary>
    public string? TlsCertificateFile { get; set; }

    /// <summary>The certificate authority (PEM) the silos' certificates must chain to.</summary>
    public string? TlsAuthorityFile { get; set; }

    public ClusterTls? Tls() => ClusterTls.From(TlsCertificateFile, TlsAuthorityFile, out _);

    public DataRoots AllowedData() => new(DataRoots.Count > 0 ? DataRoots : [Environment.CurrentDirectory]);

    /// <summary>The shared store, read from its file (a method: validation reads every property, and the file may be bad).</summary>
    public PostgresStore? SharedStore() => PostgresFile is { Length: > 0 } file ? PostgresStore.FromFile(file, ClusterId) : null;

    public string DescribeSilos() => SharedStore()?.Describe() ?? $"gateway {GatewayPort}";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Mode != WorkerMode.Cluster)
            yield break;
        if (string.IsNullOrWhiteSpace(Store))
            yield return new ValidationResult("is required: the directory of the shared checkpoint store", [nameof(Store)]);
        if (PostgresFile is { Length: > 0 } file && PostgresStore.Problem(file) is { } problem)
            yield return new ValidationResult(problem, [nameof(PostgresFile)]);
        if (string.IsNullOrWhiteSpace(CredentialFile))
            yield return new ValidationResult("is required: the file holding this worker's credential (gancluster up writes one per worker)", [nameof(CredentialFile)]);
        else if (!File.Exists(CredentialFile))
            yield return new ValidationResult($"{Path.GetFullPath(CredentialFile)} does not exist", [nameof(CredentialFile)]);
        ClusterTls.From(TlsCertificateFile, TlsAuthorityFile, out var tls);
        if (tls is not null)
            yield return new ValidationResult(tls, [nameof(TlsCertificateFile)]);
        foreach (var root in DataRoots.Where(r => !Directory.Exists(r)))
            yield return new ValidationResult($"data root '{root}' is not an existing directory", [nameof(DataRoots)]);
    }
}
