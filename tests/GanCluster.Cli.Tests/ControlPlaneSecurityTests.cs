using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using GanCluster.Contracts;
using GanCluster.Contracts.Grains;
using GanCluster.Contracts.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Connections.Security;
using static GanCluster.Cli.Tests.LocalClusterTests;

namespace GanCluster.Cli.Tests;

/// <summary>
/// The control plane trusts no caller (issue 13): rogue Orleans clients, written as a hostile local user would write
/// them, against a real local cluster with its real certificates and credentials.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ControlPlaneSecurityTests
{
    /// <summary>The metrics test's long toy run (it trains for as long as the checks take), reporting and checkpointing often.</summary>
    private static readonly string Spec = ClusterMetricsTests.LongToy
        .Replace("name: metrics-toy", "name: guarded", StringComparison.Ordinal)
        .Replace("report_every: 20", "report_every: 5", StringComparison.Ordinal)
        .Replace("checkpoint_every: 200", "checkpoint_every: 50", StringComparison.Ordinal);

    [Fact]
    public async Task Without_a_certificate_nobody_connects_and_with_one_a_worker_acts_only_as_itself_for_what_it_holds()
    {
        var dir = CliProcess.NewDirectory();
        var spec = CliProcess.WriteSpec(dir, Spec);
        var cluster = Path.Combine(dir, "cluster");
        var up = CliProcess.Run(dir, "up", "--workers", "2", "--threads", "1", "--cluster", cluster);
        Assert.True(up.ExitCode == 0, up.ToString());
        try
        {
            var state = Path.Combine(cluster, "state");
            var gateway = JsonDocument.Parse(File.ReadAllText(Path.Combine(cluster, "cluster.json"))).RootElement.GetProperty("Silos")[0].GetProperty("GatewayPort").GetInt32();

            // Every secret is 600 in a 700 folder (the key, the token, the database, the certificates, the credentials).
            Assert.Equal(PrivateFiles.Folder, File.GetUnixFileMode(state));
            foreach (var file in Directory.EnumerateFiles(state, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith("-journal", StringComparison.Ordinal)))
                Assert.True(File.GetUnixFileMode(file) == PrivateFiles.File, $"{file} is {File.GetUnixFileMode(file)}");
            Assert.True(File.Exists(Path.Combine(state, "cluster-key")) && File.Exists(Path.Combine(state, "tls", "ca.crt")) && File.Exists(Path.Combine(state, "workers", "worker-1.credential")));

            // No certificate, or one from another authority: the gateway does not let the client in.
            await AssertCannotConnect(gateway, certificate: null, "worker-1", Credential(state, "worker-1"));
            var stranger = Path.Combine(dir, "stranger");
            ClusterCertificates.EnsureAuthority(stranger, TimeSpan.FromDays(1));
            await AssertCannotConnect(gateway, ClusterCertificates.LoadCertificate(ClusterCertificates.Issue(stranger, "worker-1", silo: false, TimeSpan.FromDays(1))), "worker-1", Credential(state, "worker-1"));

            var id = Json(CliProcess.Run(dir, "run", "submit", spec, "--cluster", cluster, "--output", "json")).GetProperty("id").GetString()!;
            string? holder = null;
            WaitUntil(() => (holder = Json(CliProcess.Run(dir, "workers", "list", "--cluster", cluster, "--output", "json")).GetProperty("workers").EnumerateArray()
                .Where(w => w.GetProperty("runId").GetString() == id).Select(w => w.GetProperty("id").GetString()).FirstOrDefault()) is not null, "the run to be placed");
            var other = holder == "worker-1" ? "worker-2" : "worker-1";

            // A worker with a valid certificate and its own credential cannot report or finish for a run another worker holds.
            await using (var rogue = await Connect(gateway, Certificate(state, other), other, Credential(state, other)))
            {
                var run = rogue.Grains.GetGrain<IRunGrain>(id);
                var report = await Assert.ThrowsAsync<UnauthorizedAccessException>(() => run.Report(new RunProgress(0, 400, null, null, 1)));
                Assert.Contains($"worker {other} may not report for rank 0", report.Message);
                await Assert.ThrowsAsync<UnauthorizedAccessException>(() => run.Finished(0, 1, RunState.Completed, 400, null, false));
                // Nor cancel it, read it, or queue anything: those are the API's.
                await Assert.ThrowsAsync<UnauthorizedAccessException>(() => run.Cancel("rogue"));
                await Assert.ThrowsAsync<UnauthorizedAccessException>(() => run.Get());
                await Assert.ThrowsAsync<UnauthorizedAccessException>(() => rogue.Grains.GetGrain<ISchedulerGrain>(0).Enqueue(id, 1, 99, DateTimeOffset.MinValue));
                // Nor heartbeat as the holder, to take its assignments.
                var descriptor = new WorkerDescriptor(holder!, "localhost", "cpu", 1, "127.0.0.1:1");
                await Assert.ThrowsAsync<UnauthorizedAccessException>(() => rogue.Grains.GetGrain<ISchedulerGrain>(0).Heartbeat(descriptor));
                // A traversal key never activates a run grain.
                var traversal = await Assert.ThrowsAnyAsync<Exception>(() => rogue.Grains.GetGrain<IRunGrain>("../x").Join(0, other));
                Assert.Contains("run id", traversal.ToString());
            }
            // Presenting another worker's id with one's own credential is refused outright.
            await using (var impostor = await Connect(gateway, Certificate(state, other), holder!, Credential(state, other)))
            {
                var refused = await Assert.ThrowsAsync<UnauthorizedAccessException>(() => impostor.Grains.GetGrain<ISchedulerGrain>(0).Runs());
                Assert.Contains("not valid for this cluster", refused.Message);
            }
            // Even the holder cannot make the run resume from a file outside the run's own checkpoint folder.
            await using (var holderClient = await Connect(gateway, Certificate(state, holder!), holder!, Credential(state, holder!)))
            {
                var run = holderClient.Grains.GetGrain<IRunGrain>(id);
                foreach (var foreign in new[] { "/etc/passwd", Path.Combine(dir, "elsewhere", "checkpoints", "step-00000050.gck"), $"{cluster}/store/{id}/checkpoints/../../x/checkpoints/step-00000050.gck" })
                {
                    var refused = await Assert.ThrowsAsync<ArgumentException>(() => run.Report(new RunProgress(0, 50, null, new CheckpointRef(foreign, new string('a', 64), 50), 1)));
                    Assert.Contains("checkpoint refused", refused.Message);
                }
            }

            // The API refuses traversal ids by name.
            var show = CliProcess.Run(dir, "run", "show", "../x", "--cluster", cluster);
            Assert.NotEqual(0, show.ExitCode);
            Assert.Contains("field 'id'", show.Output);

            // None of it disturbed the run: it is still training (it is long enough to be held through every check
            // above, however slow the machine; a finished run would drop a stale report instead of refusing it).
            JsonElement Shown() => Json(CliProcess.Run(dir, "run", "show", id, "--cluster", cluster, "--output", "json"));
            var stepAfterChecks = long.Parse(Shown().GetProperty("step").GetString()!);
            WaitUntil(() => Shown() is var s && s.GetProperty("state").GetString() == "RUN_STATE_RUNNING" && long.Parse(s.GetProperty("step").GetString()!) > stepAfterChecks,
                "the run to go on training", TimeSpan.FromMinutes(2));
            Assert.Equal(0, CliProcess.Run(dir, "run", "cancel", id, "--cluster", cluster).ExitCode);
            WaitUntil(() => Shown().GetProperty("state").GetString() == "RUN_STATE_CANCELLED", "the run to be cancelled", TimeSpan.FromMinutes(1));
            // The state holds no ring secret: each attempt's is derived from the key when a worker joins.
            var stored = File.ReadAllText(Path.Combine(state, "state.db"));
            Assert.DoesNotContain("\"Secret\"", stored);
            Assert.DoesNotContain(ClusterKey.Load(Path.Combine(state, "cluster-key")).RingSecret(id, 1), stored);
        }
        finally
        {
            CliProcess.Run(dir, "down", "--cluster", cluster);
        }
    }

    private static string Credential(string state, string worker) => File.ReadAllText(Path.Combine(state, "workers", $"{worker}.credential")).Trim();

    private static X509Certificate2 Certificate(string state, string worker) => ClusterCertificates.LoadCertificate(ClusterCertificates.CertificateFile(Path.Combine(state, "tls"), worker));

    private static async Task AssertCannotConnect(int gateway, X509Certificate2? certificate, string id, string credential)
    {
        var attempt = Task.Run(async () =>
        {
            await using var client = await Connect(gateway, certificate, id, credential);
            await client.Grains.GetGrain<ISchedulerGrain>(0).Runs();
        });
        var finished = await Task.WhenAny(attempt, Task.Delay(TimeSpan.FromSeconds(60)));
        Assert.True(finished == attempt, "the rogue client neither connected nor failed within 60 s");
        // Refused at the connection: a client that got in would be refused by the grain instead, which is not enough.
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => attempt);
        Assert.False(refused is UnauthorizedAccessException, $"the rogue client connected (and only the grain refused it): {refused.Message}");
    }

    /// <summary>A hand-written Orleans client: the gateway, an optional certificate, and an id with a credential on every call.</summary>
    private static async Task<RogueClient> Connect(int gateway, X509Certificate2? certificate, string id, string credential)
    {
        // Quiet: its connection logs would bury the test's own failure message in the run's output.
        var host = Host.CreateDefaultBuilder().ConfigureLogging(logging => logging.ClearProviders()).UseOrleansClient(client =>
        {
            client.UseLocalhostClustering(gateway);
            client.AddOutgoingGrainCallFilter(call =>
            {
                RequestContext.Set(CallerCredential.IdKey, id);
                RequestContext.Set(CallerCredential.ProofKey, credential);
                return call.Invoke();
            });
            if (certificate is not null)
                client.UseTls(certificate, o =>
                {
                    o.AllowAnyRemoteCertificate();
                    o.OnAuthenticateAsClient = (_, server) => server.TargetHost = ClusterCertificates.SiloName;
                });
        }).Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await host.StartAsync(timeout.Token);
        }
        catch
        {
            host.Dispose();
            throw;
        }
        return new RogueClient(host);
    }

    private sealed class RogueClient(IHost host) : IAsyncDisposable
    {
        public IGrainFactory Grains => host.Services.GetRequiredService<IClusterClient>();

        public async ValueTask DisposeAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await host.StopAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
            }
            host.Dispose();
        }
    }
}
