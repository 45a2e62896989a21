using System.Text.Json;
using GanCluster.Hosting.Logging;
using GanCluster.Hosting.Settings;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GanCluster.Hosting.Tests;

public sealed class LoggingTests
{
    private const string ConnectionString = "Host=db;Username=gan;Password=hunter2;Database=cluster";

    private static List<JsonElement> Events(string logs) =>
        [.. logs.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement)];

    private static JsonElement Single(string logs, string template) =>
        Events(logs).Single(e => e.TryGetProperty("@mt", out var mt) && mt.GetString() == template);

    [Fact]
    public async Task A_rank_scope_puts_run_sweep_rank_and_worker_on_json_events()
    {
        await using var host = await TestHost.Create().StartAsync();
        var logger = host.App.Services.GetRequiredService<ILogger<LoggingTests>>();

        using (LogScope.ForRank("run-1", "sweep-a", 3))
            logger.LogInformation("Step {Step} done", 10);
        logger.LogInformation("Outside any run");

        var inside = Single(host.Logs, "Step {Step} done");
        Assert.Equal(("run-1", "sweep-a", 3, "w-test", 10),
            (inside.GetProperty("run").GetString(), inside.GetProperty("sweep").GetString(), inside.GetProperty("rank").GetInt32(),
             inside.GetProperty("worker").GetString(), inside.GetProperty("Step").GetInt32()));
        var outside = Single(host.Logs, "Outside any run");
        Assert.False(outside.TryGetProperty("run", out _));
        Assert.Equal("w-test", outside.GetProperty("worker").GetString());
    }

    [Fact]
    public async Task A_dictionary_BeginScope_gives_the_same_properties()
    {
        await using var host = await TestHost.Create().StartAsync();
        var logger = host.App.Services.GetRequiredService<ILogger<LoggingTests>>();

        using (logger.BeginScope(new Dictionary<string, object> { ["run"] = "run-2", ["rank"] = 1 }))
            logger.LogInformation("Joined the ring");

        var joined = Single(host.Logs, "Joined the ring");
        Assert.Equal(("run-2", 1), (joined.GetProperty("run").GetString(), joined.GetProperty("rank").GetInt32()));
    }

    [Fact]
    public async Task Secrets_never_reach_the_log_but_the_setting_line_does()
    {
        await using var host = await TestHost.Create(
            environment: new Dictionary<string, string?> { ["GANCLUSTER_STORE__CONNECTIONSTRING"] = ConnectionString },
            configure: builder => builder.Services.AddValidatedOptions<TestStoreOptions>("Store")).StartAsync();
        var logger = host.App.Services.GetRequiredService<ILogger<LoggingTests>>();
        var store = host.Options<TestStoreOptions>();

        Assert.Equal(ConnectionString, store.ConnectionString);
        logger.LogInformation("Opening store {Store}", store.ConnectionString);
        logger.LogInformation("Opening store {@Store}", store);
        // Written into the template itself: masked up to the next ';', so the rest of the sentence goes too.
        logger.LogWarning("Retrying Host=db;Password=hunter2 later");

        var logs = host.Logs;
        Assert.DoesNotContain("hunter2", logs, StringComparison.Ordinal);
        var settings = Events(logs).Single(e => e.GetProperty("@mt").GetString() == "Settings {Section}: {Settings}"
            && e.GetProperty("Section").GetString() == "Store");
        Assert.Equal("ConnectionString=*** Timeout=30", settings.GetProperty("Settings").GetString());
        Assert.Equal("Host=db;Username=gan;Password=***;Database=cluster", Single(logs, "Opening store {Store}").GetProperty("Store").GetString());
        Assert.Contains(Events(logs), e => e.GetProperty("@mt").GetString() == "Retrying Host=db;Password=***");
    }

    [Fact]
    public async Task Text_format_is_chosen_by_setting()
    {
        await using var host = await TestHost.Create(["--Logging:Format", "text"]).StartAsync();
        var logger = host.App.Services.GetRequiredService<ILogger<LoggingTests>>();

        using (LogScope.ForRank("run-3", null, 0))
            logger.LogInformation("Step {Step} done", 1);

        var line = host.Logs.Split('\n').Single(l => l.Contains("Step 1 done", StringComparison.Ordinal));
        Assert.StartsWith("[", line, StringComparison.Ordinal);
        Assert.Contains("\"run\":\"run-3\"", line, StringComparison.Ordinal);
        Assert.Contains("\"worker\":\"w-test\"", line, StringComparison.Ordinal);
    }
}
