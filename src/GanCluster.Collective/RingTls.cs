using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace GanCluster.Collective;

/// <summary>
/// TLS for the ring's links: a rank trusts only certificates issued by the ring's own authority, for the address it
/// dialled, and mints that authority and the ranks' certificates when one machine (or a test) needs them.
/// </summary>
internal static class RingTls
{
    /// <summary>Whether the neighbour's certificate chains to <paramref name="authority"/> (and no other root) and names the address dialled.</summary>
    public static bool IsTrusted(X509Certificate2 authority, X509Certificate? presented, SslPolicyErrors errors)
    {
        if (presented is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
            return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(presented as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(presented.GetRawCertData()));
    }

    /// <summary>A throwaway authority for one ring; it lives only in the processes that hold it.</summary>
    public static X509Certificate2 CreateAuthority(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        var now = DateTimeOffset.UtcNow;
        return Exportable(request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(30)));
    }

    /// <summary>A server certificate issued by <paramref name="authority"/> for the hosts (names or IP addresses) that ranks dial.</summary>
    public static X509Certificate2 Issue(X509Certificate2 authority, IEnumerable<string> hosts)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=gancluster-rank", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var host in hosts)
        {
            if (System.Net.IPAddress.TryParse(host, out var address))
                names.AddIpAddress(address);
            else
                names.AddDnsName(host);
        }
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        // As long as the authority, and no longer (a certificate may not outlive its issuer).
        using var issued = request.Create(authority, authority.NotBefore, authority.NotAfter, RandomNumberGenerator.GetBytes(16));
        return Exportable(issued.CopyWithPrivateKey(key));
    }

    /// <summary>Round-trips through PKCS#12 so that the platform's TLS stack can use the private key.</summary>
    private static X509Certificate2 Exportable(X509Certificate2 certificate)
    {
        using var _ = certificate;
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), password: null);
    }
}
