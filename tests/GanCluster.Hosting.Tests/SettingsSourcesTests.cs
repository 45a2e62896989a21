using Microsoft.Extensions.Configuration;

namespace GanCluster.Hosting.Tests;

public sealed class SettingsSourcesTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("gancluster-hosting-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string ConfigFile(string json)
    {
        var path = Path.Combine(_directory, "worker.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static async Task<TestWorkerOptions> WorkerOptions(string[] args, Dictionary<string, string?> environment)
    {
        await using var host = TestHost.Create(args, environment);
        return host.Options<TestWorkerOptions>();
    }

    [Fact]
    public async Task Each_source_alone_sets_the_option()
    {
        var file = ConfigFile("""{ "Worker": { "Id": "from-file", "Threads": 5 } }""");

        Assert.Equal(3, (await WorkerOptions(["--threads", "3"], [])).Threads);
        Assert.Equal(4, (await WorkerOptions([], new() { ["GANCLUSTER_WORKER__THREADS"] = "4" })).Threads);
        Assert.Equal(5, (await WorkerOptions(["--config", file], [])).Threads);
        Assert.Equal(5, (await WorkerOptions([], new() { ["GANCLUSTER_CONFIG"] = file })).Threads);
        Assert.Equal("w-7", (await WorkerOptions(["--id=w-7"], [])).Id);
        Assert.Equal(6, (await WorkerOptions(["--Worker:Threads", "6"], [])).Threads);
    }

    [Fact]
    public async Task Command_line_beats_environment_beats_file()
    {
        var file = ConfigFile("""{ "Worker": { "Id": "from-file", "Threads": 5 } }""");
        var environment = new Dictionary<string, string?> { ["GANCLUSTER_WORKER__THREADS"] = "4", ["GANCLUSTER_WORKER__ID"] = "from-env" };

        var all = await WorkerOptions(["--config", file, "--threads", "3"], environment);
        var noSwitch = await WorkerOptions(["--config", file], environment);
        var fileOnly = await WorkerOptions(["--config", file], []);

        Assert.Equal((3, "from-env"), (all.Threads, all.Id));
        Assert.Equal((4, "from-env"), (noSwitch.Threads, noSwitch.Id));
        Assert.Equal((5, "from-file"), (fileOnly.Threads, fileOnly.Id));
    }

    [Fact]
    public async Task Unprefixed_variables_are_not_settings()
    {
        await using var host = TestHost.Create([], new Dictionary<string, string?> { ["WORKER__THREADS"] = "9", ["DOTNET_WORKER__THREADS"] = "9", ["ASPNETCORE_URLS"] = "http://0.0.0.0:9" });

        Assert.Equal(1, host.Options<TestWorkerOptions>().Threads);
        Assert.DoesNotContain(host.App.Configuration.AsEnumerable(), setting => setting.Value?.Contains('9', StringComparison.Ordinal) == true);
    }
}
