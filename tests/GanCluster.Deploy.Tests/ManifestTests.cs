using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace GanCluster.Deploy.Tests;

/// <summary>
/// deploy/k8s: every overlay renders with kustomize, every rendered object validates against the strict schemas
/// of ../shared/schemas (KEDA and Prometheus Operator objects included), and the objects say what the operations
/// issue asks of them.
/// </summary>
public sealed class ManifestTests
{
    public static TheoryData<string> Overlays => ["cpu", "gpu", "postgres"];

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_object_of_the_overlay_validates_against_its_strict_schema(string overlay)
    {
        var objects = Render(overlay);
        Assert.True(objects.Count >= 19, $"{overlay} rendered only {objects.Count} objects");
        foreach (var item in objects)
        {
            var (kind, apiVersion, name) = Identity(item);
            if (kind == "PrometheusRule")
            {
                // ../shared/schemas has no PrometheusRule schema: RulesTests checks that it ships rules.yaml, which promtool checks.
                Assert.Equal("monitoring.coreos.com/v1", apiVersion);
                continue;
            }
            var schema = Repository.Schema(SchemaFile(kind, apiVersion));
            var result = schema.Evaluate(JsonSerializer.SerializeToElement(item), new EvaluationOptions { OutputFormat = OutputFormat.List });
            Assert.True(result.IsValid, $"{overlay}: {kind} {name}: " + string.Join("; ", DashboardTests.Errors(result).Where(e => !e.Contains("oneOf", StringComparison.Ordinal)).Take(8)));
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Silos_and_workers_use_mutual_TLS_from_Secrets_probes_and_the_downward_API(string overlay)
    {
        var objects = Render(overlay);
        var silo = Container(Find(objects, "Deployment", "gancluster-silo"));
        var worker = Container(Find(objects, "StatefulSet", "gancluster-worker"));
        foreach (var (container, certificate) in new[] { (silo, "silo.p12"), (worker, "worker.p12") })
        {
            var args = Args(container);
            Assert.Contains($"--tls-certificate=/etc/gancluster/tls/{certificate}", args);
            Assert.Contains("--tls-authority=/etc/gancluster/tls/ca.crt", args);
            Assert.Contains("--postgres-file=/etc/gancluster/postgres/connection", args);
            Assert.Equal("/health/live", container["livenessProbe"]!["httpGet"]!["path"]!.GetValue<string>());
            Assert.Equal("/health/ready", container["readinessProbe"]!["httpGet"]!["path"]!.GetValue<string>());
            Assert.NotNull(container["resources"]!["requests"]);
            Assert.NotNull(container["resources"]!["limits"]);
            Assert.False(container["securityContext"]!["allowPrivilegeEscalation"]!.GetValue<bool>());
        }
        // Orleans' Kubernetes hosting: pod name, namespace and IP from the downward API, and the Orleans labels.
        var env = silo["env"]!.AsArray().ToDictionary(e => e!["name"]!.GetValue<string>(), e => e!["valueFrom"]?["fieldRef"]?["fieldPath"]?.GetValue<string>());
        Assert.Equal("metadata.name", env["POD_NAME"]);
        Assert.Equal("metadata.namespace", env["POD_NAMESPACE"]);
        Assert.Equal("status.podIP", env["POD_IP"]);
        Assert.Equal("metadata.labels['orleans/serviceId']", env["ORLEANS_SERVICE_ID"]);
        Assert.Equal("metadata.labels['orleans/clusterId']", env["ORLEANS_CLUSTER_ID"]);
        var labels = Find(objects, "Deployment", "gancluster-silo")["spec"]!["template"]!["metadata"]!["labels"]!;
        Assert.Equal("gancluster", labels["orleans/serviceId"]!.GetValue<string>());
        Assert.Equal("gancluster", labels["orleans/clusterId"]!.GetValue<string>());
        var role = Find(objects, "Role", "gancluster-silo")["rules"]![0]!;
        Assert.Equal(["pods"], role["resources"]!.AsArray().Select(r => r!.GetValue<string>()));
        // Each worker proves its own id: its credential is the file named after its pod.
        Assert.Contains("--credential-file=/etc/gancluster/credentials/$(POD_NAME)", Args(worker));
        Assert.Contains("--id=$(POD_NAME)", Args(worker));
    }

    [Fact]
    public void Only_the_gpu_overlay_asks_for_a_GPU_per_worker_from_the_CUDA_image()
    {
        foreach (var overlay in new[] { "cpu", "gpu", "postgres" })
        {
            var worker = Container(Find(Render(overlay), "StatefulSet", "gancluster-worker"));
            var gpus = worker["resources"]!["limits"]!["nvidia.com/gpu"];
            Assert.Equal(overlay == "gpu" ? 1 : null, gpus?.GetValue<long>());
            Assert.Equal(overlay == "gpu" ? "gancluster/worker-cuda:0.1.0" : "gancluster/worker-cpu:0.1.0", worker["image"]!.GetValue<string>());
        }
    }

    [Fact]
    public void Workers_are_a_parallel_StatefulSet_on_a_shared_checkpoint_volume_scaled_by_KEDA_on_the_silo_metric()
    {
        var objects = Render("cpu");
        var workers = Find(objects, "StatefulSet", "gancluster-worker")["spec"]!;
        Assert.Equal("Parallel", workers["podManagementPolicy"]!.GetValue<string>());
        var service = Find(objects, "Service", workers["serviceName"]!.GetValue<string>());
        Assert.Equal("None", service["spec"]!["clusterIP"]!.GetValue<string>());
        var claim = workers["template"]!["spec"]!["volumes"]!.AsArray().Single(v => v!["name"]!.GetValue<string>() == "checkpoints")!["persistentVolumeClaim"]!["claimName"]!.GetValue<string>();
        Assert.Equal(["ReadWriteMany"], Find(objects, "PersistentVolumeClaim", claim)["spec"]!["accessModes"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.NotNull(Container(Find(objects, "StatefulSet", "gancluster-worker"))["lifecycle"]!["preStop"]);
        var scaled = Find(objects, "ScaledObject", "gancluster-worker")["spec"]!;
        Assert.Equal("StatefulSet", scaled["scaleTargetRef"]!["kind"]!.GetValue<string>());
        Assert.Equal("max(gancluster_worker_replicas_needed)", scaled["triggers"]![0]!["metadata"]!["query"]!.GetValue<string>());
        Assert.Contains(objects, o => Identity(o).Kind == "PodMonitor" && Identity(o).Name == "gancluster-worker");
        Assert.Contains(objects, o => Identity(o).Kind == "PodMonitor" && Identity(o).Name == "gancluster-silo");
        Assert.Contains(objects, o => Identity(o).Kind == "PodDisruptionBudget");
    }

    [Fact]
    public void Network_policies_open_only_what_each_port_serves()
    {
        var policies = Render("postgres").Where(o => Identity(o).Kind == "NetworkPolicy").ToDictionary(o => Identity(o).Name);
        Assert.True(policies.ContainsKey("gancluster-default-deny"));
        string From(string policy, string port) => string.Join(",", policies[policy]["spec"]!["ingress"]!.AsArray()
            .Where(r => r!["ports"]!.AsArray().Any(p => p!["port"]!.GetValue<string>() == port))
            .SelectMany(r => r!["from"]!.AsArray().Select(f => f!["podSelector"]?["matchLabels"]?["app.kubernetes.io/name"]?.GetValue<string>()
                ?? (f!["namespaceSelector"] is { } ns ? "namespace " + ns["matchLabels"]!["kubernetes.io/metadata.name"]!.GetValue<string>() : "namespace")))
            .Order(StringComparer.Ordinal));
        Assert.Equal("namespace", From("gancluster-silo", "api"));
        Assert.Equal("gancluster-silo", From("gancluster-silo", "silo"));
        Assert.Equal("gancluster-silo,gancluster-worker", From("gancluster-silo", "gateway"));
        Assert.Equal("namespace monitoring", From("gancluster-silo", "metrics"));
        Assert.Equal("gancluster-worker", From("gancluster-worker", "ring"));
        Assert.Equal("namespace monitoring", From("gancluster-worker", "metrics"));
        Assert.Equal("gancluster-silo,gancluster-worker", From("gancluster-postgres", "postgres"));
    }

    internal static List<JsonNode> Render(string overlay)
    {
        var (code, output) = Repository.Run("kubectl", "kubectl with kustomize built in is on the machine image (Debian's kustomize from trixie works too)",
            Repository.Deploy("k8s"), "kustomize", $"overlays/{overlay}");
        Assert.True(code == 0, $"kubectl kustomize overlays/{overlay}: {output}");
        return [.. Repository.YamlDocuments(output)];
    }

    internal static (string Kind, string ApiVersion, string Name) Identity(JsonNode item) =>
        (item["kind"]!.GetValue<string>(), item["apiVersion"]!.GetValue<string>(), item["metadata"]!["name"]!.GetValue<string>());

    internal static JsonNode Find(IEnumerable<JsonNode> objects, string kind, string name) =>
        objects.SingleOrDefault(o => Identity(o).Kind == kind && Identity(o).Name == name) ?? throw new Xunit.Sdk.XunitException($"no {kind} {name} rendered");

    internal static JsonNode Container(JsonNode workload) => workload["spec"]!["template"]!["spec"]!["containers"]![0]!;

    internal static List<string> Args(JsonNode container) => [.. container["args"]!.AsArray().Select(a => a!.GetValue<string>())];

    /// <summary>The strict schema of a kind: yannh's layout for core kinds, the CRDs' own for KEDA and the Prometheus Operator.</summary>
    private static string SchemaFile(string kind, string apiVersion)
    {
        var (group, version) = apiVersion.Contains('/') ? (apiVersion[..apiVersion.IndexOf('/')], apiVersion[(apiVersion.IndexOf('/') + 1)..]) : ("", apiVersion);
        var path = group is "keda.sh" or "monitoring.coreos.com"
            ? Repository.Schemas("k8s", "crds", group, $"{kind.ToLowerInvariant()}_{version}.json")
            : Repository.Schemas("k8s", "v1.30.10-standalone-strict", group.Length == 0 ? $"{kind.ToLowerInvariant()}-{version}.json" : $"{kind.ToLowerInvariant()}-{group.Split('.')[0]}-{version}.json");
        Assert.True(File.Exists(path), $"no schema for {kind} {apiVersion}: {path}");
        return path;
    }
}
