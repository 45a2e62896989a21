using GanCluster.Contracts.Security;
using Orleans.Connections.Security;

namespace GanCluster.Silo.Security;

/// <summary>The silo's side of trusting no caller: every grain call authenticated, and, with TLS files, mutual TLS on every connection.</summary>
public static class SiloSecurity
{
    public static ISiloBuilder UseClusterSecurity(this ISiloBuilder silo, ClusterTls? tls)
    {
        silo.AddIncomingGrainCallFilter<CallerAuthentication>();
        if (tls is null)
            return silo;
        var certificate = ClusterCertificates.LoadCertificate(tls.CertificateFile);
        var authority = ClusterCertificates.LoadAuthority(tls.AuthorityFile);
        // Silo to silo and gateway alike: no connection without a certificate from the cluster's own authority.
        silo.UseTls(certificate, o =>
        {
            o.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            o.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
            o.RemoteCertificateValidation = (presented, _, _) => ClusterCertificates.IsIssuedBy(presented, authority);
            o.OnAuthenticateAsClient = (_, client) => client.TargetHost = ClusterCertificates.SiloName;
        });
        return silo;
    }
}
