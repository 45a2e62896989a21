using System.Net;
using GanCluster.Hosting.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Storage;

namespace GanCluster.Silo.Storage;

/// <summary>Where the silo keeps membership, grain state and reminders: the embedded SQLite file, or shared PostgreSQL.</summary>
public static class ClusterStore
{
    public static ISiloBuilder UseClusterStore(this ISiloBuilder silo, SiloOptions options)
    {
        if (options.SharedStore() is not { } postgres)
        {
            // The embedded default: a cluster of one on loopback. Reminders are re-registered by the grains that
            // own them on every activation, so an in-memory reminder table loses nothing that matters here.
            silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort);
            silo.Services.AddSingleton(_ => new SqliteDatabase(options.DatabasePath));
            silo.Services.AddKeyedSingleton<IGrainStorage>(SiloStorage.ProviderName, (services, _) => new SqliteGrainStorage(services.GetRequiredService<SqliteDatabase>()));
            silo.Services.AddSingleton<IRowStorage>(services => new SqliteRowStorage(services.GetRequiredService<SqliteDatabase>()));
            silo.UseInMemoryReminderService();
            return silo;
        }
        silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (postgres.ClusterId, postgres.ClusterId));
        silo.ConfigureEndpoints(IPAddress.Parse(options.Host), options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: false);
        // Inside a Kubernetes pod (the kubelet sets KUBERNETES_SERVICE_HOST, the manifests set POD_NAME and the rest):
        // Orleans' Kubernetes hosting names the silo after its pod, advertises the pod IP, takes the service and
        // cluster ids from the pod's labels, and declares silos whose pods are gone dead at once.
        if (InKubernetesPod())
            silo.UseKubernetesHosting();
        silo.UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = (PostgresStore.Invariant, postgres.ConnectionString));
        silo.AddAdoNetGrainStorage(SiloStorage.ProviderName, o =>
        {
            o.Invariant = PostgresStore.Invariant;
            o.ConnectionString = postgres.ConnectionString;
            o.GrainStorageSerializer = new GrainStateJson();
        });
        silo.Services.AddSingleton<IRowStorage>(_ => new PostgresRowStorage(postgres.ConnectionString));
        silo.UseAdoNetReminderService(o => (o.Invariant, o.ConnectionString) = (PostgresStore.Invariant, postgres.ConnectionString));
        // A control plane of a few silos: declare a silo dead after about 6 s of failed probes (Orleans' defaults
        // take about a minute), so that its grains reactivate elsewhere well within a worker's retry budget.
        silo.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = TimeSpan.FromSeconds(2);
            o.NumMissedProbesLimit = 3;
            o.TableRefreshTimeout = TimeSpan.FromSeconds(10);
        });
        return silo;
    }

    private static bool InKubernetesPod() =>
        Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST") is { Length: > 0 }
        && new[] { "POD_NAME", "POD_NAMESPACE", "POD_IP" }.All(v => Environment.GetEnvironmentVariable(v) is { Length: > 0 });
}
