using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace GanCluster.Cli.Tests;

public sealed class PrometheusEndpointTests
{
    private static Dictionary<string, double> Parse(string exposition) =>
        exposition.Split('\n')
            .Where(l => l.StartsWith("gancluster_", StringComparison.Ordinal))
            .Select(l => (Key: l[..l.LastIndexOf(' ')], Value: double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)))
            .ToDictionary(p => p.Key.Replace("otel_scope_name=\"GanCluster.Training\",", ""), p => p.Value);

    [Fact]
    public async Task A_training_run_serves_collapse_and_oscillation_series()
    {
        var dir = CliProcess.NewDirectory();
        CliProcess.WriteSpec(dir, """
            name: scraped
            seed: 4
            steps: 1000000
            batch_size: 64
            threads: 1
            model: { name: toy, latent_dim: 4, hidden: 32, layers: 2 }
            dataset: { kind: ring8 }
            report_every: 10
            health: { eval_every: 50, eval_samples: 500, window: 16 }
            """);
        var port = GanCluster.Collective.FreePorts.Take(1)[0];
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "gancluster.dll"), "train", "spec.yaml", "--out", "run", "--metrics-port", port.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
            Dictionary<string, double> series = [];
            while (DateTime.UtcNow < deadline && !process.HasExited)
            {
                try
                {
                    series = Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/metrics", TestContext.Current.CancellationToken));
                    if (series.TryGetValue("gancluster_step{rank=\"0\",run=\"scraped\"}", out var step) && step >= 100
                        && series.ContainsKey("gancluster_modes_covered{rank=\"0\",run=\"scraped\"}"))
                        break;
                }
                catch (HttpRequestException)
                {
                    // Not listening yet: the process is still loading libtorch.
                }
                await Task.Delay(200, TestContext.Current.CancellationToken);
            }
            if (process.HasExited)
                Assert.Fail("training exited early: " + await output);
            double Get(string name, string labels = "") => series[$"{name}{{{labels}rank=\"0\",run=\"scraped\"}}"];

            Assert.True(Get("gancluster_step") >= 100, "no report past step 100 within 90 s");
            Assert.InRange(Get("gancluster_d_loss"), 0.01, 10);
            Assert.InRange(Get("gancluster_g_loss"), 0.01, 20);
            Assert.InRange(Get("gancluster_d_real"), 0, 1);
            Assert.InRange(Get("gancluster_d_fake"), 0, 1);
            Assert.Equal(0, Get("gancluster_diverged"));
            Assert.InRange(Get("gancluster_diversity_ratio"), 0, 10);
            Assert.True(Get("gancluster_grad_norm", "net=\"d\",") > 0);
            Assert.True(Get("gancluster_grad_norm", "net=\"g\",") > 0);
            // At least 10 reports are in the oscillation window: the CV is a real, positive spread.
            Assert.InRange(Get("gancluster_loss_cv", "net=\"d\","), 1e-6, 5);
            Assert.InRange(Get("gancluster_loss_cv", "net=\"g\","), 1e-6, 5);
            Assert.InRange(Get("gancluster_loss_period_steps", "net=\"g\","), 0, 16 * 10);
            Assert.Equal(8, Get("gancluster_modes"));
            Assert.InRange(Get("gancluster_modes_covered"), 0, 8);
            Assert.InRange(Get("gancluster_high_quality_fraction"), 0, 1);
            Assert.True(Get("gancluster_steps_per_second") > 0);
            // The verdict is one of its four codes (0 healthy … 3 diverged), and not diverged here.
            Assert.Contains(Get("gancluster_collapse_verdict"), new double[] { 0, 1, 2 });
            // The verdict's dimensions as a state set: each dimension is in exactly one of its states.
            foreach (var (dimension, states) in new[] { ("modes", 4), ("trend", 4), ("convergence", 3), ("summary", 7) })
            {
                var set = series.Where(k => k.Key.StartsWith($"gancluster_health{{dimension=\"{dimension}\",", StringComparison.Ordinal) && k.Key.Contains("run=\"scraped\"", StringComparison.Ordinal)).ToList();
                Assert.Equal(states, set.Count);
                Assert.Equal(1, set.Sum(k => k.Value));
            }
            Assert.InRange(Get("gancluster_quality_best", "metric=\"balanced_quality_fraction\","), 0, 1);
            Assert.DoesNotContain(series.Keys, k => k.Contains("step=", StringComparison.Ordinal));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public void A_busy_metrics_port_is_a_usage_error()
    {
        var dir = CliProcess.NewDirectory();
        CliProcess.WriteSpec(dir, "steps: 5\nthreads: 1\nmodel: { name: toy }\ndataset: { kind: ring8 }\n");
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
        var result = CliProcess.Run(dir, "train", "spec.yaml", "--out", "run", "--metrics-port", port);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"cannot serve metrics on 127.0.0.1:{port}", result.Output);
    }
}
