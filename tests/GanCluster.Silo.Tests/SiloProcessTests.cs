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
        File.WriteAllText(unreachable, $"Host=127.0.0.1;Port={SiloProcess.FreePorts(1)[0]};Database=gancluster;Username=u;Password=secret-pass-42;Timeout=3");
        var down = await RunToExit("--state-dir", state, "--postgres-file", unreachable);
        Assert.Equal(3, down.ExitCode);
        Assert.Contains("cannot reach postgres 127.0.0.1:", down.Output);
        Assert.DoesNotContain("secret-pass-42", down.Output);
    }

    private static async Task<(int ExitCode, string Output)> RunToExit(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
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
        private readonly System.Text.StringBuilder _output = new();
        private readonly GrpcChannel _channel;

        private SiloProcess(Process process, int apiPort, string token)
        {
            _process = process;
            Token = token;
            _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{apiPort}");
        }

        public string Token { get; }
        public string Output { get { lock (_output) return _output.ToString(); } }

        public static async Task<SiloProcess> StartAsync(string stateDirectory)
        {
            var ports = FreePorts(3);
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "GanCluster.Silo.dll"), "--state-dir", stateDirectory,
                         "--api-port", $"{ports[0]}", "--silo-port", $"{ports[1]}", "--gateway-port", $"{ports[2]}" })
                info.ArgumentList.Add(a);
            var process = Process.Start(info)!;
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var output = new System.Text.StringBuilder();
            void OnLine(object _, DataReceivedEventArgs e)
            {
                if (e.Data is null)
                    return;
                lock (output)
                    output.AppendLine(e.Data);
                if (e.Data.StartsWith("silo ready", StringComparison.Ordinal))
                    ready.TrySetResult();
            }
            process.OutputDataReceived += OnLine;
            process.ErrorDataReceived += OnLine;
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var started = await Task.WhenAny(ready.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
            if (started != ready.Task)
            {
                process.Kill(true);
                throw new InvalidOperationException($"the silo did not start: {output}");
            }
            var token = File.ReadAllText(Path.Combine(stateDirectory, "api-token")).Trim();
            var silo = new SiloProcess(process, ports[0], token);
            lock (output)
                silo._output.Append(output);
            return silo;
        }

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

        internal static int[] FreePorts(int count)
        {
            var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
            listeners.ForEach(l => l.Start());
            var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
            listeners.ForEach(l => l.Stop());
            return ports;
        }
    }
}
