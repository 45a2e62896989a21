using System.Text.RegularExpressions;

namespace GanCluster.Deploy.Tests;

/// <summary>
/// deploy/docker: each image runs as a non-root user, has a health check on the probe path the manifests use,
/// exposes the ports its manifest names, and restores from exactly the project files its program references (so
/// the package layer is cached across source changes and a new reference cannot break the build unnoticed).
/// Building and running the images needs a container runtime; see the operations note for what this machine allows.
/// </summary>
public sealed partial class DockerfileTests
{
    public static TheoryData<string, string, string> Images => new()
    {
        { "silo.Dockerfile", "GanCluster.Silo", "gancluster-silo" },
        { "worker-cpu.Dockerfile", "GanCluster.Worker", "gancluster-worker" },
        { "worker-cuda.Dockerfile", "GanCluster.Worker", "gancluster-worker" },
    };

    [Theory]
    [MemberData(nameof(Images))]
    public void The_image_runs_unprivileged_checks_its_health_and_exposes_its_manifests_ports(string dockerfile, string project, string pod)
    {
        var text = File.ReadAllText(Repository.Deploy("docker", dockerfile));
        Assert.Matches(@"(?m)^USER 10001:10001$", text);
        Assert.Matches($@"(?m)^HEALTHCHECK .*""/app/{project}\.dll"", ""--probe"", ""http://127\.0\.0\.1:9100/health/live""", text);
        Assert.Matches($@"(?m)^ENTRYPOINT \[""dotnet"", ""/app/{project}\.dll""\]$", text);
        var exposed = Expose().Match(text).Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).Order();
        var workload = ManifestTests.Render("cpu").Single(o => o["metadata"]!["name"]!.GetValue<string>() == pod && o["kind"]!.GetValue<string>() is "Deployment" or "StatefulSet");
        var ports = ManifestTests.Container(workload)["ports"]!.AsArray().Select(p => (int)p!["containerPort"]!.GetValue<long>()).Order();
        Assert.Equal(ports, exposed);
        // The manifests run the image as the user it was built for.
        Assert.Equal(10001, workload["spec"]!["template"]!["spec"]!["securityContext"]!["runAsUser"]!.GetValue<long>());
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void The_restore_layer_copies_every_project_the_program_references(string dockerfile, string project, string pod)
    {
        _ = pod;
        var copied = ProjectCopy().Matches(File.ReadAllText(Repository.Deploy("docker", dockerfile))).Select(m => m.Groups[1].Value).ToHashSet();
        Assert.Equal(Closure(project).Order(StringComparer.Ordinal), copied.Order(StringComparer.Ordinal));
    }

    /// <summary>The project and every project it references, transitively.</summary>
    private static HashSet<string> Closure(string project)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var next))
        {
            if (!found.Add(next))
                continue;
            var csproj = File.ReadAllText(Path.Combine(Repository.Root, "src", next, $"{next}.csproj"));
            foreach (Match reference in Reference().Matches(csproj))
                pending.Push(reference.Groups[1].Value);
        }
        return found;
    }

    [GeneratedRegex(@"(?m)^EXPOSE ([0-9 ]+)$")]
    private static partial Regex Expose();

    [GeneratedRegex(@"(?m)^COPY src/([A-Za-z.]+)/\1\.csproj src/\1/$")]
    private static partial Regex ProjectCopy();

    [GeneratedRegex(@"ProjectReference Include=""[^""]*\\(GanCluster\.[A-Za-z]+)\.csproj""")]
    private static partial Regex Reference();
}
