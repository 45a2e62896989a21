using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace GanCluster.Contracts.Security;

/// <summary>
/// The cluster's own certificate authority. <c>gancluster up</c> makes one in <c>STATE/tls</c> and issues every silo
/// and worker a certificate from it (each file 600); a production cluster mounts the same files from Secrets. A peer
/// is trusted when its certificate chains to this authority alone: the machine's trust store plays no part.
/// </summary>
public static class ClusterCertificates
{
    /// <summary>The authority's certificate, public (what every process trusts).</summary>
    public const string AuthorityFile = "ca.crt";

    /// <summary>The authority's key: only the issuer needs it.</summary>
    public const string AuthorityKeyFile = "ca.pfx";

    /// <summary>The name silos present as servers (every silo's certificate carries it).</summary>
    public const string SiloName = "gancluster-silo";

    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    /// <summary>The certificate file of <paramref name="name"/> (a process: <c>silo</c>, <c>worker-1</c>, …) in <paramref name="folder"/>.</summary>
    public static string CertificateFile(string folder, string name) => Path.Combine(folder, $"{name}.pfx");

    /// <summary>Creates the authority in <paramref name="folder"/> (700) unless it exists; returns whether it was created.</summary>
    public static bool EnsureAuthority(string folder, TimeSpan lifetime)
    {
        PrivateFiles.EnsureFolder(folder);
        if (File.Exists(Path.Combine(folder, AuthorityKeyFile)))
            return false;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=GanCluster local authority", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var authority = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow + lifetime);
        PrivateFiles.WriteNew(Path.Combine(folder, AuthorityKeyFile), authority.Export(X509ContentType.Pkcs12));
        PrivateFiles.WriteNew(Path.Combine(folder, AuthorityFile), authority.ExportCertificatePem());
        return true;
    }

    /// <summary>
    /// Issues <paramref name="name"/> a certificate from the authority in <paramref name="folder"/>, for both ends of a
    /// TLS connection (silos dial each other; workers are clients). Silos also carry <see cref="SiloName"/>.
    /// </summary>
    public static string Issue(string folder, string name, bool silo, TimeSpan lifetime)
    {
        using var authority = X509CertificateLoader.LoadPkcs12FromFile(Path.Combine(folder, AuthorityKeyFile), null, X509KeyStorageFlags.Exportable);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuth, ClientAuth], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(name);
        if (silo)
            names.AddDnsName(SiloName);
        request.CertificateExtensions.Add(names.Build());
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        var notAfter = DateTimeOffset.UtcNow + lifetime;
        using var issued = request.Create(authority, DateTimeOffset.UtcNow.AddMinutes(-5), notAfter < authority.NotAfter ? notAfter : authority.NotAfter, serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        var path = CertificateFile(folder, name);
        if (File.Exists(path))
            File.Delete(path);
        PrivateFiles.WriteNew(path, withKey.Export(X509ContentType.Pkcs12));
        return path;
    }

    /// <summary>A process's certificate with its key; a clear <see cref="InvalidOperationException"/> when the file is missing or not one.</summary>
    public static X509Certificate2 LoadCertificate(string path)
    {
        try
        {
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, null);
            return certificate.HasPrivateKey ? certificate : throw new InvalidOperationException($"TLS certificate {path} holds no private key");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new InvalidOperationException($"TLS certificate {path}: {e.Message}");
        }
    }

    public static X509Certificate2 LoadAuthority(string path)
    {
        try
        {
            return X509CertificateLoader.LoadCertificate(System.Text.Encoding.ASCII.GetBytes(File.ReadAllText(path)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new InvalidOperationException($"TLS authority {path}: {e.Message}");
        }
    }

    /// <summary>Whether <paramref name="presented"/> chains to <paramref name="authority"/> (and to nothing else), and is valid now.</summary>
    public static bool IsIssuedBy(X509Certificate2 presented, X509Certificate2 authority)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.NoFlag;
        return chain.Build(presented) && chain.ChainElements[^1].Certificate.RawDataMemory.Span.SequenceEqual(authority.RawDataMemory.Span);
    }
}

/// <summary>A process's TLS files: its own certificate (with key) and the authority it trusts.</summary>
public sealed record ClusterTls(string CertificateFile, string AuthorityFile)
{
    /// <summary>TLS from two settings: both given (on), neither (off, null), or one alone (a settings error, as <paramref name="problem"/>).</summary>
    public static ClusterTls? From(string? certificateFile, string? authorityFile, out string? problem)
    {
        problem = null;
        var (cert, ca) = (certificateFile is { Length: > 0 }, authorityFile is { Length: > 0 });
        if (!cert && !ca)
            return null;
        if (cert != ca)
        {
            problem = "TLS needs both a certificate file and an authority file";
            return null;
        }
        foreach (var file in new[] { certificateFile!, authorityFile! }.Where(f => !File.Exists(f)))
            problem = $"TLS file {Path.GetFullPath(file)} does not exist";
        return problem is null ? new ClusterTls(Path.GetFullPath(certificateFile!), Path.GetFullPath(authorityFile!)) : null;
    }
}
