namespace GanCluster.Deploy.Tests;

/// <summary>
/// The CPU images are built on this machine without a registry (deploy/images/build-cpu-images.sh: buildah over the
/// program's publish, the .NET runtime and the libraries they load), and a silo and a worker run from them with
/// podman (deploy/images/test-cpu-images.sh): the images' health checks pass, the worker joins the silo over mutual
/// TLS, and the CLI reaches the API from outside the containers.
/// </summary>
public sealed class ContainerImageTests
{
    [Fact]
    public void The_cpu_images_build_without_a_registry_and_a_silo_and_a_worker_run_from_them()
    {
        foreach (var tool in new[] { "buildah", "podman", "runc" })
        {
            if (!Environment.GetEnvironmentVariable("PATH")!.Split(':').Any(d => File.Exists(Path.Combine(d, tool))))
                Assert.Skip($"SKIPPED LOUDLY: {tool} is not installed (scripts/setup.sh --containers installs buildah, podman and runc; it said why it could not)");
        }
        if (Environment.UserName != "root")
            Assert.Skip($"SKIPPED LOUDLY: building and running the images here needs root (buildah and podman without user namespaces), and this is {Environment.UserName}");
        var images = Path.Combine(Repository.Root, "deploy", "images");
        var built = Repository.Run("bash", "bash", Repository.Root, TimeSpan.FromMinutes(10), Path.Combine(images, "build-cpu-images.sh"), "ci-test");
        Assert.True(built.ExitCode == 0, built.Output);
        Assert.Contains("gancluster/silo:ci-test", built.Output);
        Assert.Contains("gancluster/worker-cpu:ci-test", built.Output);
        var ran = Repository.Run("bash", "bash", Repository.Root, TimeSpan.FromMinutes(5), Path.Combine(images, "test-cpu-images.sh"), "ci-test");
        Assert.True(ran.ExitCode == 0, ran.Output);
        Assert.Contains("silo healthy (its image's HEALTHCHECK)", ran.Output);
        Assert.Contains("the worker registered with the silo over mutual TLS", ran.Output);
        Assert.EndsWith("PASS", ran.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.StartsWith("[image-test]", StringComparison.Ordinal)));
    }
}
