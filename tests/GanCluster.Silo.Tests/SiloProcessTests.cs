using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using GanCluster.Contracts.Control;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace GanCluster.Silo.Tests;

/// <summary>The real silo process on loopback, driven through its gRPC API.</summary>
public sealed class SiloProcessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string ToySpec = """
        name: api-toy
        steps: 100
        batch_size: 64
        model: { name: toy }
        dataset: { kind: ring8 }
        """;

    [Fact]
    public async Task Calls_without_a_valid_token_are_refused()
    {
        await using var silo = await SiloProcess.StartAsync(NewStateDirectory());
        foreach (var token in new[] { null, "wrong-token-0123456789" })
        {
            var client = silo.Client(token);
            var e = await Assert.ThrowsAsync<RpcException>(async () => await client.ListRunsAsync(new ListRunsRequest(), cancellationToken: Ct));
            Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
        }
        Assert.DoesNotContain(silo.Token, silo.Output);
    }

    [Theory]
    [InlineData("batch_size: eight", "batch_size")]
    [InlineData("model: { name: toy, hiden: 3 }", "model.hiden")]
    public async Task A_malformed_spec_is_refused_with_its_field_path(string field, string path)
    {
        await using var silo = await SiloProcess.StartAsync(NewStateDirectory());
        var yaml = "name: bad\nsteps: 10\ndataset: { kind: ring8 }\n" + field + (field.StartsWith("model", StringComparison.Ordinal) ? "" : "\nmodel: { name: toy }");
        var e = await Assert.ThrowsAsync<RpcException>(async () => await silo.Client().SubmitRunAsync(new SubmitRunRequest { SpecYaml = yaml }, cancellationToken: Ct));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(path, e.Trailers.GetValue("field-path"));
        Assert.Contains(path.Split('.').Last(), e.Status.Detail);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_state_folder_is_700_and_the_database_and_token_600()
    {
        var state = NewStateDirectory();
        await using var silo = await SiloProcess.StartAsync(state);
        await silo.Client().SubmitRunAsync(new SubmitRunRequest { SpecYaml = ToySpec }, cancellationToken: Ct); // a ring secret is now at rest
        const UnixFileMode owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Assert.Equal(owner | UnixFileMode.UserExecute, File.GetUnixFileMode(state));
        Assert.Equal(owner, File.GetUnixFileMode(Path.Combine(state, "state.db")));
        Assert.Equal(owner, File.GetUnixFileMode(Path.Combine(state, "api-token")));
        foreach (var journal in Directory.GetFiles(state, "state.db-*"))
            Assert.Equal(owner, File.GetUnixFileMode(journal));
    }

    [Theory]
    [InlineData(-2)]
    [InlineData(1025)]
    [InlineData(int.MaxValue)]
    public async Task A_world_size_that_can_never_run_is_refused_naming_the_field(int worldSize)
    {
        await using var silo = await SiloProcess.StartAsync(NewStateDirectory());
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await silo.Client().SubmitRunAsync(new SubmitRunRequest { SpecYaml = ToySpec, WorldSize = worldSize, Overrides = { "micro_batches=4096" } }, cancellationToken: Ct));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("world_size", e.Trailers.GetValue("field-path"));
        Assert.Contains($"found {worldSize}", e.Status.Detail);
    }

    [Fact]
    public async Task Runs_and_their_history_survive_a_killed_silo()
    {
        var state = NewStateDirectory();
        string cancelled, pending;
        await using (var silo = await SiloProcess.StartAsync(state))
        {
            var client = silo.Client();
            pending = (await client.SubmitRunAsync(new SubmitRunRequest { SpecYaml = ToySpec, WorldSize = 2 }, cancellationToken: Ct)).Id;
            cancelled = (await client.SubmitRunAsync(new SubmitRunRequest { SpecYaml = ToySpec, Overrides = { "name=second" } }, cancellationToken: Ct)).Id;
            var after = await client.CancelRunAsync(new RunRequest { Id = cancelled }, cancellationToken: Ct);
            Assert.Equal(RunState.Cancelled, after.State);
            silo.Kill();
        }
        await using (var silo = await SiloProcess.StartAsync(state))
        {
            var client = silo.Client();
            var runs = (await client.ListRunsAsync(new ListRunsRequest(), cancellationToken: Ct)).Runs;
            Assert.Equal([pending, cancelled], runs.Select(r => r.Id));
            var first = await client.GetRunAsync(new RunRequest { Id = pending }, cancellationToken: Ct);
            Assert.Equal((RunState.Pending, 2, 100L), (first.State, first.WorldSize, first.TotalSteps));
            var second = await client.GetRunAsync(new RunRequest { Id = cancelled }, cancellationToken: Ct);
            Assert.Equal(RunState.Cancelled, second.State);
            Assert.Equal(2, second.Events.Count);
            Assert.StartsWith("submitted", second.Events[0].Text);
            Assert.StartsWith("cancelled", second.Events[1].Text);
            var missing = await Assert.ThrowsAsync<RpcException>(async () => await client.GetRunAsync(new RunRequest { Id = "no-such-run" }, cancellationToken: Ct));
            Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        }
    }

    [Fact]
    public async Task A_bad_postgres_file_or_an_unreachable_server_is_refused_with_a_clear_error()
    {
        var state = NewStateDirectory();
        Directory.CreateDirectory(state);
        var missing = await RunToExit("--state-dir", state, "--postgres-file", Path.Combine(state, "nope.conn"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("nope.conn: no such file", missing.Output);

        var empty = Path.Combine(state, "empty.conn");
        File.WriteAllText(empty, "Database=x");
        var noHost = await RunToExit("--state-dir", state, "--postgres-file", empty);
        Assert.Equal(2, noHost.ExitCode);
        Assert.Contains("found no Host", noHost.Output);

        // A port nobody listens on: the silo says which server it could not reach, and never prints the password.
        var unreachable = Path.Combine(state, "down.conn");
        File.WriteAllText(unreachable, $"Host=127.0.0.1;Port={GanCluster.Collective.FreePorts.Take(1)[0]};Database=gancluster;Username=u;Password=secret-pass-42;Timeout=3");
        var down = await RunToExit("--state-dir", state, "--postgres-file", unreachable);
        Assert.Equal(3, down.ExitCode);
        Assert.Contains("cannot reach postgres 127.0.0.1:", down.Output);
        Assert.DoesNotContain("secret-pass-42", down.Output);
    }

    [Fact]
    public async Task A_malformed_setting_on_the_command_line_or_in_the_environment_is_one_line_naming_it()
    {
        var state = NewStateDirectory();
        var flag = await RunToExit("--state-dir", state, "--api-port", "eighty");
        Assert.Equal(2, flag.ExitCode);
        Assert.Equal("error (settings): Silo:ApiPort must be a whole number, found 'eighty' (command line --api-port)", flag.Output.Trim());

        var variable = await RunToExit(new Dictionary<string, string> { ["GANCLUSTER_SILO__GATEWAYPORT"] = "70000" }, "--state-dir", state);
        Assert.Equal(2, variable.ExitCode);
        var line = Assert.Single(variable.Output.Trim().Split('\n'));
        Assert.StartsWith("error (settings): Silo:GatewayPort ", line);
        Assert.EndsWith("found 70000 (environment GANCLUSTER_SILO__GATEWAYPORT)", line);

        var unknown = await RunToExit("--state-dir", state, "--api-prot", "1234");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("--api-prot", Assert.Single(unknown.Output.Trim().Split('\n')));
    }

    private static Task<(int ExitCode, string Output)> RunToExit(params string[] args) => RunToExit(new Dictionary<string, string>(), args);

    private static async Task<(int ExitCode, string Output)> RunToExit(Dictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in environment)
            info.Environment[name] = value;
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "GanCluster.Silo.dll"));
        foreach (var a in args)
            info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string NewStateDirectory() => Path.Combine(Path.GetTempPath(), "gancluster-silo-tests", Guid.NewGuid().ToString("N"));

    /// <summary>A silo child process with free loopback ports, stopped (killed) on dispose.</summary>
    private sealed class SiloProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private System.Text.StringBuilder _output = new();
        private readonly GrpcChannel _channel;

        private SiloProcess(Process process, int apiPort, string token, int metricsPort)
        {
            MetricsPort = metricsPort;
            _process = process;
            Token = token;
            _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{apiPort}");
        }

        public string Token { get; }
        public string Output { get { lock (_output) return _output.ToString(); } }

        /// <summary>Starts a silo configured through <c>GANCLUSTER_*</c> variables, as a container would be, and waits on its <c>/health/ready</c>.</summary>
        public static async Task<SiloProcess> StartAsync(string stateDirectory)
        {
            var ports = GanCluster.Collective.FreePorts.Take(4);
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "GanCluster.Silo.dll"));
            info.Environment["GANCLUSTER_SILO__STATEDIRECTORY"] = stateDirectory;
            info.Environment["GANCLUSTER_SILO__APIPORT"] = $"{ports[0]}";
            info.Environment["GANCLUSTER_SILO__SILOPORT"] = $"{ports[1]}";
            info.Environment["GANCLUSTER_SILO__GATEWAYPORT"] = $"{ports[2]}";
            info.Environment["GANCLUSTER_HOSTING__METRICSPORT"] = $"{ports[3]}";
            var process = Process.Start(info)!;
            var output = new System.Text.StringBuilder();
            void OnLine(object _, DataReceivedEventArgs e)
            {
                if (e.Data is null)
                    return;
                lock (output)
                    output.AppendLine(e.Data);
            }
            process.OutputDataReceived += OnLine;
            process.ErrorDataReceived += OnLine;
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (true)
            {
                try
                {
                    using var ready = await http.GetAsync($"http://127.0.0.1:{ports[3]}/health/ready", Ct);
                    if (ready.IsSuccessStatusCode)
                        break;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                }
                if (process.HasExited || DateTime.UtcNow > deadline)
                {
                    if (!process.HasExited)
                        process.Kill(true);
                    lock (output)
                        throw new InvalidOperationException($"the silo did not become ready: {output}");
                }
                await Task.Delay(100, Ct);
            }
            var token = File.ReadAllText(Path.Combine(stateDirectory, "api-token")).Trim();
            var silo = new SiloProcess(process, ports[0], token, ports[3]);
            silo._output = output;
            return silo;
        }

        /// <summary>The silo's metrics and health port.</summary>
        public int MetricsPort { get; }

        public ControlPlane.ControlPlaneClient Client(string? token = "") => new(_channel.CreateCallInvoker().Intercept(metadata =>
        {
            var value = token == "" ? Token : token;
            if (value is not null)
                metadata.Add("authorization", $"Bearer {value}");
            return metadata;
        }));

        public void Kill()
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        public ValueTask DisposeAsync()
        {
            Kill();
            _channel.Dispose();
            _process.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
