namespace GanCluster.Hosting.Tests;

public sealed class SettingsErrorTests
{
    /// <summary>Runs a host through <see cref="HostExit"/> as Program.cs does; returns the exit code and what went to stderr.</summary>
    private static async Task<(int Code, string[] Errors)> Run(string[] args, Dictionary<string, string?>? environment = null)
    {
        var errors = new StringWriter();
        var code = await HostExit.RunAsync(async () =>
        {
            await using var host = TestHost.Create(args, environment);
            await host.StartAsync();
        }, errors);
        return (code, errors.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Fact]
    public async Task A_good_setting_starts_and_stops_with_code_0()
    {
        var (code, errors) = await Run(["--threads", "2"]);

        Assert.Equal(HostExit.Stopped, code);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_crash_is_code_1_with_one_line_on_stderr()
    {
        var errors = new StringWriter();

        var code = await HostExit.RunAsync(async () =>
        {
            await using var host = await TestHost.Create().StartAsync();
            throw new InvalidOperationException("ring handshake failed");
        }, errors);

        Assert.Equal(HostExit.Crashed, code);
        Assert.Equal("error: host terminated unexpectedly: InvalidOperationException: ring handshake failed", errors.ToString().Trim());
    }

    [Fact]
    public async Task An_out_of_range_switch_is_one_line_naming_the_switch()
    {
        var (code, errors) = await Run(["--threads", "0"]);

        Assert.Equal(2, code);
        Assert.Equal(["error (settings): Worker:Threads must be at least 1, found 0 (command line --threads)"], errors);
    }

    [Fact]
    public async Task An_out_of_range_variable_is_one_line_naming_the_variable()
    {
        var (code, errors) = await Run([], new() { ["GANCLUSTER_WORKER__THREADS"] = "-3" });

        Assert.Equal(2, code);
        Assert.Equal(["error (settings): Worker:Threads must be at least 1, found -3 (environment GANCLUSTER_WORKER__THREADS)"], errors);
    }

    [Fact]
    public async Task The_error_names_the_source_that_won()
    {
        var (code, errors) = await Run(["--threads", "0"], new() { ["GANCLUSTER_WORKER__THREADS"] = "5" });

        Assert.Equal(2, code);
        Assert.Equal(["error (settings): Worker:Threads must be at least 1, found 0 (command line --threads)"], errors);
    }

    [Fact]
    public async Task A_value_the_binder_cannot_convert_is_one_line_too()
    {
        var (code, errors) = await Run(["--threads", "abc"]);

        Assert.Equal(2, code);
        Assert.Equal(["error (settings): Worker:Threads must be a whole number, found 'abc' (command line --threads)"], errors);
    }

    [Fact]
    public async Task An_unconvertible_variable_for_the_hosting_section_is_reported_before_the_host_is_built()
    {
        var (code, errors) = await Run([], new() { ["GANCLUSTER_HOSTING__METRICSPORT"] = "ninety" });

        Assert.Equal(2, code);
        Assert.Equal(["error (settings): Hosting:MetricsPort must be a whole number, found 'ninety' (environment GANCLUSTER_HOSTING__METRICSPORT)"], errors);
    }

    [Fact]
    public async Task A_bad_listen_address_names_the_setting()
    {
        var (code, errors) = await Run(["--Hosting:Host", "localhost"]);

        Assert.Equal(2, code);
        Assert.Equal(["error (settings): Hosting:Host must be an IP address such as 127.0.0.1 or 0.0.0.0, found 'localhost' (command line --Hosting:Host)"], errors);
    }

    [Fact]
    public async Task An_unknown_switch_is_refused()
    {
        var (code, errors) = await Run(["--thread", "4"]);

        Assert.Equal(2, code);
        Assert.Equal(["error (settings): unknown switch --thread (known: --config, --id, --metrics-port, --threads, or --Section:Key)"], errors);
    }

    [Fact]
    public async Task A_missing_config_file_is_an_error()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"gancluster-missing-{Guid.NewGuid():N}.json");

        var (code, errors) = await Run([], new() { ["GANCLUSTER_CONFIG"] = missing });

        Assert.Equal(2, code);
        Assert.Equal([$"error (settings): config file {missing} not found (environment GANCLUSTER_CONFIG)"], errors);
    }

    [Fact]
    public async Task A_bad_log_format_names_the_setting()
    {
        var (code, errors) = await Run(["--Logging:Format", "xml"]);

        Assert.Equal(2, code);
        Assert.Equal(["error (settings): Logging:Format must be json or text, found 'xml' (command line --Logging:Format)"], errors);
    }
}
