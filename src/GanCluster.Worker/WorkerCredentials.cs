using GanCluster.Contracts.Security;
using Orleans.Connections.Security;

namespace GanCluster.Worker;

/// <summary>
/// The worker's side of trusting no caller: every grain call names this worker and carries its credential, and,
/// with TLS files, the gateway connection is mutual TLS against the cluster's authority.
/// </summary>
public static class WorkerCredentials
{
    public static IClientBuilder UseWorkerCredential(this IClientBuilder client, string workerId, string credential, ClusterTls? tls)
    {
        client.AddOutgoingGrainCallFilter(call =>
        {
            RequestContext.Set(CallerCredential.IdKey, workerId);
            RequestContext.Set(CallerCredential.ProofKey, credential);
            return call.Invoke();
        });
        if (tls is null)
            return client;
        var certificate = ClusterCertificates.LoadCertificate(tls.CertificateFile);
        var authority = ClusterCertificates.LoadAuthority(tls.AuthorityFile);
        client.UseTls(certificate, o =>
        {
            o.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            o.RemoteCertificateValidation = (presented, _, _) => ClusterCertificates.IsIssuedBy(presented, authority);
            o.OnAuthenticateAsClient = (_, server) => server.TargetHost = ClusterCertificates.SiloName;
        });
        return client;
    }
}
