using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GanCluster.Cli.Tests;

namespace GanCluster.Deploy.Tests;

/// <summary>
/// The rendered manifests configure the real programs: the silo and a worker are started with exactly the
/// arguments and environment of the cpu overlay's containers (downward-API values substituted, each pod on a
/// loopback address of its own, each volume a folder holding what its Secret holds), against a real PostgreSQL.
/// Their probes' paths answer, the worker joins the silo over mutual TLS, the remote CLI reaches the API with the
/// token that <c>gancluster k8s secrets</c> wrote, a client without the certificate is refused, and neither
/// program listens on a port that its manifest does not name.
/// </summary>
public sealed partial class ManifestProcessTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task The_silo_and_a_worker_run_from_the_manifests_configuration_and_expose_only_what_it_names()
    {
        var root = Path.Combine(Path.GetTempPath(), "gancluster-manifests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        using var postgres = PostgresServer.Start();
        var connection = postgres.WriteConnectionFile(root);
        var secretsFolder = Path.Combine(root, "secrets");
        var made = Cli(root, "k8s", "secrets", "--out", secretsFolder, "--workers", "2", "--postgres-file", connection);
        Assert.True(made.ExitCode == 0, made.Output);
        var secrets = Repository.YamlDocuments(File.ReadAllText(Path.Combine(secretsFolder, "secrets.yaml")))
            .ToDictionary(s => s["metadata"]!["name"]!.GetValue<string>(), s => s["data"]!.AsObject());
        var objects = ManifestTests.Render("cpu");
        var silo = new Pod(ManifestTests.Find(objects, "Deployment", "gancluster-silo"), "gancluster-silo-7d9c", "127.0.0.2", Path.Combine(root, "silo"), secrets);
        var worker = new Pod(ManifestTests.Find(objects, "StatefulSet", "gancluster-worker"), "gancluster-worker-0", "127.0.0.3", Path.Combine(root, "worker"), secrets);
        using var siloProcess = silo.Start(Program("GanCluster.Silo"));
        try
        {
            await silo.WaitForProbes(siloProcess, Patience);
            using var workerProcess = worker.Start(Program("GanCluster.Worker"));
            try
            {
                await worker.WaitForProbes(workerProcess, Patience);
                // The worker holds a lease with the silo: mutual TLS and its own credential work.
                var api = $"http://127.0.0.2:{silo.Port("api")}";
                var listed = WaitUntil(() => Cli(root, "workers", "list", "--api", api, "--token-file", Path.Combine(secretsFolder, "api-token"), "--output", "json"),
                    r => r.ExitCode == 0 && r.Output.Contains("\"gancluster-worker-0\"", StringComparison.Ordinal), "the worker to register with the silo");
                Assert.Contains("\"cpu\"", listed.Output);
                var refused = Cli(root, "workers", "list", "--api", api, "--token-file", connection);
                Assert.NotEqual(0, refused.ExitCode);

                // A client without the cluster's certificate gets no Orleans connection.
                await AssertRefusesClientsWithoutACertificate("127.0.0.2", silo.Port("gateway"));

                // Each program listens on its manifest's ports and nothing else.
                Assert.Subset(silo.Ports.ToHashSet(), ListeningPorts(siloProcess.Id));
                Assert.Subset(worker.Ports.ToHashSet(), ListeningPorts(workerProcess.Id));
                Assert.Contains(silo.Port("api"), ListeningPorts(siloProcess.Id));
                Assert.Contains(silo.Port("gateway"), ListeningPorts(siloProcess.Id));

                // The worker's preStop hook, as the kubelet runs it before SIGTERM: it drains the worker, which leaves the scheduler.
                var hook = worker.RunHook("preStop", Program("GanCluster.Worker"));
                Assert.True(hook.ExitCode == 0, hook.Output);
                Assert.Contains("drain: 200 drained", hook.Output);
                WaitUntil(() => Cli(root, "workers", "list", "--api", api, "--token-file", Path.Combine(secretsFolder, "api-token"), "--output", "json"),
                    r => r.ExitCode == 0 && !r.Output.Contains("\"gancluster-worker-0\"", StringComparison.Ordinal), "the drained worker to leave the scheduler");
            }
            finally
            {
                Stop(workerProcess);
            }
        }
        finally
        {
            Stop(siloProcess);
        }
    }

    private static async Task AssertRefusesClientsWithoutACertificate(string host, int port)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(host, port);
        await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        var refused = false;
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "gancluster-silo" });
            // TLS 1.3 reports a refused client certificate on the first read.
            tls.ReadTimeout = 10_000;
            var buffer = new byte[1];
            refused = await tls.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10)) == 0;
        }
        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException)
        {
            refused = true;
        }
        Assert.True(refused, "the gateway accepted a TLS client without a certificate");
    }

    /// <summary>The TCP ports process <paramref name="pid"/> listens on, as <c>ss</c> reports them.</summary>
    private static HashSet<int> ListeningPorts(int pid)
    {
        var (code, output) = Repository.Run("ss", "ss is Debian's iproute2", Repository.Root, "-ltnpH");
        Assert.True(code == 0, output);
        return [.. output.Split('\n').Where(l => l.Contains($"pid={pid},", StringComparison.Ordinal))
            .Select(l => int.Parse(Regex.Match(l, @"\S+:(\d+)\s+\S+:\*").Groups[1].Value))];
    }

    private static string Program(string project, string? assembly = null)
    {
        var dll = Path.Combine(Repository.Root, "src", project, "bin", "Release", "net10.0", $"{assembly ?? project}.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build the solution in Release first (scripts/test.sh does)");
        return dll;
    }

    private static (int ExitCode, string Output) Cli(string workingDirectory, params string[] arguments) =>
        Repository.Run("dotnet", "the .NET SDK", workingDirectory, [Program("GanCluster.Cli", "gancluster"), .. arguments]);

    private static T WaitUntil<T>(Func<T> probe, Func<T, bool> done, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var result = probe();
            if (done(result))
                return result;
            Assert.True(clock.Elapsed < Patience, $"timed out waiting for {what}; last: {result}");
            Thread.Sleep(500);
        }
    }

    private static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
    }

    /// <summary>One pod of a rendered workload, run as a local process: its container's arguments and environment, its volumes as folders.</summary>
    private sealed class Pod
    {
        private readonly JsonNode _container;
        private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal);
        private readonly List<(string MountPath, string Folder)> _mounts = [];
        private readonly string _log;

        public Pod(JsonNode workload, string name, string ip, string folder, IReadOnlyDictionary<string, JsonObject> secrets)
        {
            var template = workload["spec"]!["template"]!;
            _container = template["spec"]!["containers"]![0]!;
            _log = Path.Combine(folder, "output.log");
            Directory.CreateDirectory(folder);
            var labels = template["metadata"]!["labels"]!.AsObject();
            foreach (var variable in _container["env"]!.AsArray())
            {
                var field = variable!["valueFrom"]?["fieldRef"]?["fieldPath"]?.GetValue<string>();
                _environment[variable["name"]!.GetValue<string>()] = field switch
                {
                    null => variable["value"]!.GetValue<string>(),
                    "metadata.name" => name,
                    "metadata.namespace" => "gancluster",
                    "status.podIP" => ip,
                    _ when LabelField().Match(field) is { Success: true } label => labels[label.Groups[1].Value]!.GetValue<string>(),
                    _ => throw new Xunit.Sdk.XunitException($"{name}: no substitute for fieldRef {field}"),
                };
            }
            var volumes = template["spec"]!["volumes"]!.AsArray().ToDictionary(v => v!["name"]!.GetValue<string>(), v => v!);
            foreach (var mount in _container["volumeMounts"]!.AsArray())
            {
                var volumeName = mount!["name"]!.GetValue<string>();
                var local = Path.Combine(folder, "volumes", volumeName);
                Directory.CreateDirectory(local);
                if (volumes[volumeName]["secret"] is { } secret)
                {
                    var data = secrets[secret["secretName"]!.GetValue<string>()];
                    var items = secret["items"]?.AsArray().Select(i => (Key: i!["key"]!.GetValue<string>(), Path: i!["path"]!.GetValue<string>()))
                        ?? data.Select(d => (d.Key, d.Key));
                    foreach (var (key, path) in items)
                    {
                        File.WriteAllBytes(Path.Combine(local, path), Convert.FromBase64String(data[key]!.GetValue<string>()));
                        if (!OperatingSystem.IsWindows())
                            File.SetUnixFileMode(Path.Combine(local, path), UnixFileMode.UserRead);
                    }
                }
                _mounts.Add((mount["mountPath"]!.GetValue<string>(), local));
            }
        }

        /// <summary>Every containerPort the manifest names.</summary>
        public IReadOnlyList<int> Ports => [.. _container["ports"]!.AsArray().Select(p => (int)p!["containerPort"]!.GetValue<long>())];

        public int Port(string name) => (int)_container["ports"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == name)!["containerPort"]!.GetValue<long>();

        public Process Start(string dll)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(dll);
            foreach (var argument in _container["args"]!.AsArray().Select(a => a!.GetValue<string>()))
                start.ArgumentList.Add(Localise(Expand(argument)));
            foreach (var (key, value) in _environment)
                start.Environment[key] = value;
            var process = Process.Start(start)!;
            var gate = new object();
            void Append(string? line)
            {
                lock (gate)
                    File.AppendAllText(_log, line + "\n");
            }
            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.ErrorDataReceived += (_, e) => Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return process;
        }

        /// <summary>Runs a lifecycle hook's exec command as the kubelet would, in the pod's environment (the image's /app is this machine's build).</summary>
        public (int ExitCode, string Output) RunHook(string hook, string dll)
        {
            var command = _container["lifecycle"]![hook]!["exec"]!["command"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();
            Assert.Equal("dotnet", command[0]);
            Assert.StartsWith("/app/", command[1]);
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(dll);
            foreach (var argument in command.Skip(2))
                start.ArgumentList.Add(argument);
            foreach (var (key, value) in _environment)
                start.Environment[key] = value;
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), $"the {hook} hook did not return within 2 minutes");
            return (process.ExitCode, output.Result + error.Result);
        }

        /// <summary>Waits until the manifest's startup, liveness and readiness probe paths answer 200 on the pod's address.</summary>
        public async Task WaitForProbes(Process process, TimeSpan patience)
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
            var ip = _environment["POD_IP"];
            foreach (var probe in new[] { "startupProbe", "livenessProbe", "readinessProbe" })
            {
                var get = _container[probe]!["httpGet"]!;
                var port = get["port"]!.GetValueKind() == System.Text.Json.JsonValueKind.String ? Port(get["port"]!.GetValue<string>()) : (int)get["port"]!.GetValue<long>();
                var url = $"http://{ip}:{port}{get["path"]!.GetValue<string>()}";
                var clock = Stopwatch.StartNew();
                while (true)
                {
                    if (process.HasExited)
                        Assert.Fail($"the program exited ({process.ExitCode}) before {url} answered: {Log()}");
                    try
                    {
                        if ((await http.GetAsync(url)).IsSuccessStatusCode)
                            break;
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                    {
                    }
                    Assert.True(clock.Elapsed < patience, $"{url} did not answer 200 within {patience.TotalSeconds} s: {Log()}");
                    await Task.Delay(250);
                }
            }
        }

        private string Log() => File.Exists(_log) && File.ReadAllText(_log) is var text ? text[^Math.Min(4000, text.Length)..] : "(no output)";

        /// <summary>Kubernetes' $(VAR) expansion from the container's environment.</summary>
        private string Expand(string argument) => Reference().Replace(argument, m => _environment.TryGetValue(m.Groups[1].Value, out var v) ? v : m.Value);

        /// <summary>A path under a volume's mount path, as the folder that holds the volume here (the longest mount path that contains it).</summary>
        private string Localise(string argument)
        {
            var at = argument.StartsWith("--", StringComparison.Ordinal) ? argument.IndexOf('=') + 1 : 0;
            var value = argument[at..];
            foreach (var (mountPath, folder) in _mounts.OrderByDescending(m => m.MountPath.Length))
            {
                if (value == mountPath || value.StartsWith(mountPath + "/", StringComparison.Ordinal))
                    return argument[..at] + folder + value[mountPath.Length..];
            }
            return argument;
        }
    }

    [GeneratedRegex(@"^metadata\.labels\['([^']+)'\]$")]
    private static partial Regex LabelField();

    [GeneratedRegex(@"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")]
    private static partial Regex Reference();
}
