using System.Diagnostics;
using GanCluster.Hosting;
using GanCluster.Hosting.Configuration;
using GanCluster.Hosting.Endpoints;
using GanCluster.Rank;
using GanCluster.Specs;
using GanCluster.Training.Runtime;
using GanCluster.Training.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace GanCluster.Bench;

/// <summary>
/// What the Prometheus exporters cost a rank's step time, side by side in one process: rounds alternate between a
/// bare rank (no meter, no exporter) and a rank inside the worker's host defaults (meters recording every step,
/// the OpenTelemetry exporter, runtime metrics) scraped every <c>scrape</c> seconds, ten times Prometheus' usual rate.
/// </summary>
internal static class ExporterOverhead
{
    public static int Run(int rounds, int steps, double scrapeSeconds, string model)
    {
        var yaml = model == "toy"
            ? $"name: overhead\nsteps: {steps}\nbatch_size: 64\nthreads: 1\nreport_every: 20\nmodel: {{ name: toy, hidden: 128 }}\ndataset: {{ kind: ring8 }}\nhealth: {{ eval_every: 0 }}\n"
            : $"name: overhead\nsteps: {steps}\nbatch_size: 64\nthreads: 1\nreport_every: 20\nmodel: {{ name: mlp }}\ndataset: {{ kind: idx, path: ../shared/data/mnist }}\nhealth: {{ eval_every: 0 }}\n";
        var (spec, effective) = RunSpecLoader.LoadText(yaml, "overhead.yaml");
        var bare = new List<double>();
        var exported = new List<double>();
        Console.WriteLine($"{model}, {steps} steps per round, {rounds} rounds each way, scrapes every {scrapeSeconds} s");
        for (var round = 0; round < rounds; round++)
        {
            // Alternate the order so that drift on a noisy machine hits both sides alike.
            foreach (var on in round % 2 == 0 ? new[] { false, true } : [true, false])
            {
                var rate = on ? Exported(spec, effective, scrapeSeconds) : Train(spec, effective, null);
                (on ? exported : bare).Add(rate);
                Console.WriteLine($"round {round + 1} {(on ? "exported" : "bare    ")}: {rate:F1} steps/s");
            }
        }
        var (b, e) = (Median(bare), Median(exported));
        var paired = Median(bare.Zip(exported, (x, y) => y / x).ToList());
        Console.WriteLine($"median steps/s: bare {b:F1}, exported {e:F1}; overhead {(1 - e / b) * 100:F2}%; median paired ratio exported/bare {paired:F3} (goal ≤ 1% slower)");
        DirectCosts(spec, effective, 1000 / b);
        return 0;
    }

    /// <summary>
    /// The same cost measured directly, below this machine's round-to-round noise: what recording a step costs, and the
    /// CPU one scrape takes with a run's series populated (its share of a core at a given scrape interval).
    /// </summary>
    private static void DirectCosts(RunSpec spec, string yaml, double stepMilliseconds)
    {
        using var meter = new RankMeter();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == RankMeter.Name)
                l.EnableMeasurementEvents(instrument);
        };
        listener.Start();
        const int records = 2_000_000;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < records; i++)
            meter.Step(TimeSpan.FromMilliseconds(3));
        var recordNs = clock.Elapsed.TotalMilliseconds * 1e6 / records;

        var builder = WebApplication.CreateBuilder();
        builder.Configuration.UseGanClusterSources([], new Dictionary<string, string>(), new Dictionary<string, string?> { ["GANCLUSTER_LOGGING__FORMAT"] = "text" });
        builder.AddServiceDefaults(new HostIdentity("worker", "bench"), [RankMeter.Name, TrainingMeter.MeterName]);
        builder.Services.AddSingleton<RankMeter>();
        using var app = builder.Build();
        app.MapServiceDefaults();
        app.StartAsync().GetAwaiter().GetResult();
        var hosted = app.Services.GetRequiredService<RankMeter>();
        var request = new RankRequest { Spec = spec with { Steps = 200 }, SpecYaml = yaml, RunDirectory = Path.Combine(Path.GetTempPath(), "gancluster-overhead", Guid.NewGuid().ToString("N")), RunLabel = "scraped" };
        using var host = RankHost.Open(request, _ => { }, hosted);
        host.Train(new Quiet(), CancellationToken.None); // populates the health gauges (kept until the host is disposed)
        var url = $"http://127.0.0.1:{app.Services.GetRequiredService<MetricsEndpoint>().Port}/metrics";
        using var http = new HttpClient();
        const int scrapes = 40;
        var bytes = 0;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        for (var i = 0; i < scrapes; i++)
        {
            bytes = http.GetStringAsync(url).GetAwaiter().GetResult().Length;
            Thread.Sleep(310); // past the exporter's 300 ms response cache, so every scrape is rendered anew
        }
        var scrapeMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / scrapes;
        app.StopAsync().GetAwaiter().GetResult();
        Console.WriteLine(FormattableString.Invariant(
            $"direct: recording a step {recordNs:F0} ns ({recordNs / (stepMilliseconds * 1e6) * 100:F4}% of a {stepMilliseconds:F2} ms step); one scrape ({bytes / 1024} KiB) {scrapeMs:F2} ms of CPU, {scrapeMs / 10:F3}% of a core at one scrape per second, {scrapeMs / 150:F4}% at Prometheus' default 15 s"));
    }

    private static double Exported(RunSpec spec, string yaml, double scrapeSeconds)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.UseGanClusterSources([], new Dictionary<string, string>(), new Dictionary<string, string?> { ["GANCLUSTER_LOGGING__FORMAT"] = "text" });
        builder.AddServiceDefaults(new HostIdentity("worker", "bench"), [RankMeter.Name, TrainingMeter.MeterName],
            metrics => metrics.AddView("gancluster_step_seconds", new ExplicitBucketHistogramConfiguration { Boundaries = RankMeter.StepSecondsBuckets }));
        builder.Services.AddSingleton<RankMeter>();
        using var app = builder.Build();
        app.MapServiceDefaults();
        app.StartAsync().GetAwaiter().GetResult();
        using var stop = new CancellationTokenSource();
        var url = $"http://127.0.0.1:{app.Services.GetRequiredService<MetricsEndpoint>().Port}/metrics";
        var scrapes = 0;
        var scraper = Task.Run(async () =>
        {
            using var http = new HttpClient();
            while (!stop.IsCancellationRequested)
            {
                var text = await http.GetStringAsync(url);
                if (text.Contains("gancluster_step_seconds", StringComparison.Ordinal))
                    scrapes++;
                await Task.Delay(TimeSpan.FromSeconds(scrapeSeconds));
            }
        });
        try
        {
            return Train(spec, yaml, app.Services.GetRequiredService<RankMeter>());
        }
        finally
        {
            stop.Cancel();
            scraper.ContinueWith(_ => { }).Wait();
            if (scrapes == 0)
                throw new InvalidOperationException("no scrape saw the rank's series: the exported side measured nothing");
            app.StopAsync().GetAwaiter().GetResult();
        }
    }

    private static double Train(RunSpec spec, string yaml, RankMeter? meter)
    {
        var request = new RankRequest { Spec = spec, SpecYaml = yaml, RunDirectory = Path.Combine(Path.GetTempPath(), "gancluster-overhead", Guid.NewGuid().ToString("N")), RunLabel = "overhead" };
        using var host = RankHost.Open(request, _ => { }, meter);
        var clock = Stopwatch.StartNew();
        var result = host.Train(new Quiet(), CancellationToken.None);
        return result.Steps / clock.Elapsed.TotalSeconds;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private sealed class Quiet : ITrainingObserver;
}
