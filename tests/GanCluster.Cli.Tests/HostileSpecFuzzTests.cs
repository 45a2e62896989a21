using System.Diagnostics;
using System.Text;
using GanCluster.Cli.Cluster;
using GanCluster.Contracts.Control;
using Grpc.Core;
using static GanCluster.Cli.Tests.LocalClusterTests;

namespace GanCluster.Cli.Tests;

/// <summary>
/// Generated malformed and hostile submissions (wrong types, ranges, paths, huge sizes, YAML tricks, bad world
/// sizes and overrides) against a real 2-worker cluster through the API (issue 13). The silo never crashes, no
/// worker wedges, and every submission is refused with InvalidArgument (or ResourceExhausted for an oversized
/// message), or ends within a bounded time: Failed with a message, or, for a mutation that is still a valid
/// spec, Completed.
/// </summary>
public sealed class HostileSpecFuzzTests
{
    private static readonly string Base = """
        name: fuzz
        steps: 3
        batch_size: 8
        threads: 1
        model: { name: mlp, hidden: 8, latent_dim: 4 }
        dataset: { kind: idx, path: digits }
        report_every: 1
        health: { eval_every: 0 }
        """;

    /// <summary>Fields a mutation may hit, as PATH=VALUE overrides or as text edits.</summary>
    private static readonly string[] Fields =
        ["name", "steps", "batch_size", "threads", "seed", "device", "micro_batches", "d_steps", "report_every", "checkpoint_every", "sample_every", "sample_count",
         "model.name", "model.hidden", "model.latent_dim", "model.layers", "model.classes", "dataset.kind", "dataset.path", "dataset.limit", "dataset.image_size",
         "loss.kind", "optimizers.g.lr", "optimizers.d.beta1", "ema.decay", "health.eval_every", "labels.real_target"];

    private static readonly string[] WrongTypes = ["[1, 2]", "{ a: 1 }", "'text'", "true", "~", "1e400", "-.inf", ".nan", "0x7fffffffffffffff", "''"];

    private static readonly string[] Ranges = ["-1", "0", "-2147483649", "2147483648", "1000000000000", "99999999999999999999", "0.0000001", "-0.5"];

    [Fact]
    public void Hostile_specs_are_refused_or_end_with_a_message_and_the_cluster_stays_healthy()
    {
        var dir = CliProcess.NewDirectory();
        CliProcess.WriteDigits(dir, 64);
        // A link inside the worker's data root that points out of it.
        File.CreateSymbolicLink(Path.Combine(dir, "escape"), "/etc");
        var cluster = Path.Combine(dir, "cluster");
        var up = CliProcess.Run(dir, "up", "--workers", "2", "--threads", "1", "--cluster", cluster);
        Assert.True(up.ExitCode == 0, up.ToString());
        try
        {
            var siloPid = ClusterProcesses.Read(cluster).Silos[0].Pid;
            using var api = ControlPlaneConnection.Open(cluster);
            var cases = Generate(new Random(13)).ToList();
            var accepted = new List<(string Case, string Id)>();
            var refused = 0;
            foreach (var (name, request) in cases)
            {
                try
                {
                    var run = api.Client.SubmitRun(request, deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: TestContext.Current.CancellationToken);
                    accepted.Add((name, run.Id));
                }
                catch (RpcException e) when (e.StatusCode is StatusCode.InvalidArgument or StatusCode.ResourceExhausted)
                {
                    Assert.False(string.IsNullOrWhiteSpace(e.Status.Detail), $"{name}: refused without a message");
                    Assert.DoesNotContain('\0', e.Status.Detail);
                    refused++;
                }
            }
            Assert.True(Process.GetProcessById(siloPid) is { HasExited: false }, "the silo died during submissions");

            // Every accepted one ends, within a bound that allows the queue to drain over two workers.
            var clock = Stopwatch.StartNew();
            var ended = new Dictionary<string, Run>();
            WaitUntil(() =>
            {
                foreach (var (name, id) in accepted.Where(a => !ended.ContainsKey(a.Id)))
                {
                    var run = api.Client.GetRun(new RunRequest { Id = id });
                    if (run.State is RunState.Failed or RunState.Completed or RunState.Cancelled or RunState.Diverged or RunState.Collapsed)
                        ended[id] = run;
                }
                return ended.Count == accepted.Count;
            }, $"{accepted.Count} accepted hostile runs to end (ended: {ended.Count})", TimeSpan.FromMinutes(4));
            var failed = 0;
            foreach (var (name, id) in accepted)
            {
                var run = ended[id];
                Assert.True(run.State is RunState.Failed or RunState.Completed, $"{name}: ended {run.State}");
                if (run.State == RunState.Failed)
                {
                    failed++;
                    Assert.False(string.IsNullOrWhiteSpace(run.Error), $"{name}: failed without a message");
                    Assert.DoesNotContain('\0', run.Error);
                    Assert.DoesNotContain('\n', run.Error);
                }
            }
            Assert.True(Process.GetProcessById(siloPid) is { HasExited: false }, "the silo died");
            // No worker wedged: both are registered, free, and a good run completes on them.
            WaitUntil(() => api.Client.ListWorkers(new ListWorkersRequest()).Workers is { Count: 2 } workers && workers.All(w => w.RunId == ""), "both workers free");
            var good = api.Client.SubmitRun(new SubmitRunRequest { SpecYaml = Base, WorldSize = 2 }, cancellationToken: TestContext.Current.CancellationToken);
            WaitUntil(() => api.Client.GetRun(new RunRequest { Id = good.Id }).State == RunState.Completed, "a good 2-rank run to complete", TimeSpan.FromMinutes(2));
            TestContext.Current.TestOutputHelper?.WriteLine($"fuzz: {cases.Count} submissions, {refused} refused, {failed} failed with a message, {accepted.Count - failed} completed; drained in {clock.Elapsed.TotalSeconds:0} s");
            Assert.True(refused > cases.Count / 3 && failed > 5, $"the generator lost its teeth: {refused} refused, {failed} failed of {cases.Count}");
        }
        finally
        {
            CliProcess.Run(dir, "down", "--cluster", cluster);
        }
    }

    /// <summary>The same 100 or so cases on every run (seeded), from each family of hostility.</summary>
    private static IEnumerable<(string Name, SubmitRunRequest Request)> Generate(Random random)
    {
        SubmitRunRequest Set(params string[] overrides)
        {
            var request = new SubmitRunRequest { SpecYaml = Base, WorldSize = 1 };
            request.Overrides.AddRange(overrides);
            return request;
        }
        string Pick(string[] values) => values[random.Next(values.Length)];

        for (var i = 0; i < 24; i++)
        {
            var (field, value) = (Pick(Fields), Pick(WrongTypes));
            yield return ($"type {field}={value}", Set($"{field}={value}"));
        }
        for (var i = 0; i < 24; i++)
        {
            var (field, value) = (Pick(Fields), Pick(Ranges));
            yield return ($"range {field}={value}", Set($"{field}={value}"));
        }
        foreach (var path in new[] { "/etc", "/etc/passwd", "../../../../etc", "/proc/self", "/dev/zero", "escape", "escape/ssl", "'a\\0b'", new string('x', 5000), "/nonexistent/digits", "''" })
            yield return ($"path {path[..Math.Min(path.Length, 30)]}", Set($"dataset.path={path}"));
        // Sizes large enough that an allocation can only fail, never succeed slowly.
        foreach (var huge in new[] { "model.hidden=65536", "model.latent_dim=4096", "batch_size=1048576", "sample_count=100000", "dataset.image_size=1024" })
            yield return ($"huge {huge}", Set(huge, huge.StartsWith("model.hidden", StringComparison.Ordinal) ? "model.layers=64" : "steps=3"));
        foreach (var device in new[] { "cuda:9", "cuda", "cuda:-1", "tpu", "cpu:0" })
            yield return ($"device {device}", Set($"device={device}"));
        foreach (var world in new[] { -1, 3, 7, 1025, int.MaxValue, int.MinValue })
            yield return ($"world size {world}", new SubmitRunRequest { SpecYaml = Base, WorldSize = world });
        yield return ("world size × micro_batches overflow", new SubmitRunRequest { SpecYaml = Base.Replace("batch_size: 8", "batch_size: 1048576") + "micro_batches: 4096\n", WorldSize = 1024 });
        foreach (var assignment in new[] { "=", "a..b=1", "model=1", "dataset.path", ".=1", "name.x=1", "model.name.deeper=1" })
            yield return ($"override {assignment}", Set(assignment));
        var text = new Dictionary<string, string>
        {
            ["empty"] = "",
            ["two documents"] = Base + "---\n" + Base,
            ["a list"] = "- 1\n- 2\n",
            ["binary junk"] = Encoding.Latin1.GetString(Enumerable.Range(0, 512).Select(_ => (byte)random.Next(256)).ToArray()),
            ["NUL bytes"] = Base.Replace("fuzz", "fu\0zz"),
            ["deep nesting"] = Base + "extra: " + string.Concat(Enumerable.Repeat("[", 2000)) + string.Concat(Enumerable.Repeat("]", 2000)) + "\n",
            ["billion laughs"] = Base + "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n",
            ["alias as a field"] = "x: &n 5\n" + Base.Replace("steps: 3", "steps: *n"),
            ["unknown field"] = Base + "learning_rate_typo: 0.1\n",
            ["huge name"] = Base.Replace("name: fuzz", "name: " + new string('n', 100_000)),
            ["control characters in the name"] = Base.Replace("name: fuzz", "name: \"\\x1b[31mred\\x07\""),
            ["oversized message"] = Base + "# " + new string('#', 5 << 20) + "\n",
            ["duplicate keys"] = Base + "steps: 4\n",
            ["tab indentation"] = Base.Replace("model: { name: mlp, hidden: 8, latent_dim: 4 }", "model:\n\tname: mlp"),
        };
        foreach (var (name, yaml) in text)
            yield return ($"text {name}", new SubmitRunRequest { SpecYaml = yaml, WorldSize = 1 });
    }
}
