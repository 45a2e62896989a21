using System.Diagnostics;
using System.Text.Json;
using GanCluster.Contracts;
using GanCluster.Contracts.Control;
using GanCluster.Contracts.Grains;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GanCluster.Bench;

/// <summary>
/// Load on one silo from simulated workers (an Orleans client in this process, speaking the real worker protocol:
/// heartbeat, join, report, finish), with the CLI's API measured at the same time:
/// scheduling overhead per run over many one-step runs, and sustained progress reports per second with the p99
/// latency of <c>run list</c> while they flow. Start the silo first: <c>./gancluster up --workers 0 --cluster DIR</c>.
/// </summary>
internal static class ControlPlaneLoad
{
    private const string Spec = "name: load\nsteps: 100000000\nbatch_size: 64\nmodel: { name: toy }\ndataset: { kind: ring8 }\n";

    public static int Run(string clusterDir, int workers, int shortRuns, int seconds)
    {
        using var cluster = BenchCluster.Connect(clusterDir);
        Console.WriteLine($"control plane load: {workers} simulated workers, {Environment.ProcessorCount} cores, silo and this client on the same machine");
        SchedulingOverhead(cluster, workers, shortRuns).GetAwaiter().GetResult();
        Reports(cluster, workers, seconds).GetAwaiter().GetResult();
        return 0;
    }

    /// <summary>
    /// Submit to first training step on a warm cluster with a real worker: the time from SubmitRun until the API shows
    /// the run at step ≥ 1 (the worker sends its first health record the moment it has one; report_every 1).
    /// </summary>
    public static int FirstStep(string clusterDir, int samples)
    {
        using var info = JsonDocument.Parse(File.ReadAllText(Path.Combine(clusterDir, "cluster.json")));
        var root = info.RootElement;
        var token = File.ReadAllText(root.GetProperty("TokenFile").GetString()!).Trim();
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{root.GetProperty("Silos")[0].GetProperty("ApiPort").GetInt32()}");
        var api = new ControlPlane.ControlPlaneClient(channel.CreateCallInvoker().Intercept(m => { m.Add("authorization", "Bearer " + token); return m; }));
        var spec = "name: first-step\nsteps: 100000\nbatch_size: 64\nthreads: 1\nreport_every: 1\nmodel: { name: toy, hidden: 32 }\ndataset: { kind: ring8 }\nhealth: { eval_every: 0 }\n";
        var times = new List<double>();
        for (var i = 0; i < samples + 1; i++)
        {
            var clock = Stopwatch.StartNew();
            var id = api.SubmitRun(new SubmitRunRequest { SpecYaml = spec }).Id;
            while (api.GetRun(new RunRequest { Id = id }).Step < 1)
                Thread.Sleep(5);
            if (i > 0)
                times.Add(clock.Elapsed.TotalMilliseconds);
            api.CancelRun(new RunRequest { Id = id });
            // Wait until the worker is free again, so every sample starts on a warm, idle cluster.
            while (api.ListWorkers(new ListWorkersRequest()).Workers.Any(w => w.RunId.Length > 0))
                Thread.Sleep(20);
        }
        times.Sort();
        Console.WriteLine($"submit to first training step ({samples} runs after one warm-up, 1 worker): median {times[times.Count / 2]:0} ms, " +
            $"p95 {times[Math.Min(times.Count - 1, (int)Math.Ceiling(times.Count * 0.95) - 1)]:0} ms, min {times[0]:0} ms, max {times[^1]:0} ms");
        return 0;
    }

    /// <summary>Submits N one-step runs and lets the simulated workers take, start and finish them; time per run end to end.</summary>
    private static async Task SchedulingOverhead(BenchCluster cluster, int workers, int runs)
    {
        var (api, grains) = (cluster.Api, cluster.Grains);
        var spec = Spec.Replace("steps: 100000000", "steps: 1");
        var done = 0;
        using var stop = new CancellationTokenSource();
        var fleet = Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            cluster.ActAs($"sim-{w}");
            var scheduler = grains.GetGrain<ISchedulerGrain>(0);
            var me = new WorkerDescriptor($"sim-{w}", "bench", "cpu", 1, $"127.0.0.1:{20000 + w}");
            while (!stop.IsCancellationRequested)
            {
                var assignment = await scheduler.Heartbeat(me);
                if (assignment is null)
                {
                    await Task.Delay(5);
                    continue;
                }
                var run = grains.GetGrain<IRunGrain>(assignment.RunId);
                var launch = await run.Join(assignment.Rank, me.Id);
                if (launch is null)
                    continue;
                await run.Finished(assignment.Rank, launch.Attempt, GanCluster.Contracts.RunState.Completed, 1, null, retryable: false);
                Interlocked.Increment(ref done);
            }
        })).ToList();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < runs; i++)
            await api.SubmitRunAsync(new SubmitRunRequest { SpecYaml = spec });
        var submitted = clock.Elapsed;
        while (Volatile.Read(ref done) < runs)
            await Task.Delay(20);
        var total = clock.Elapsed;
        await stop.CancelAsync();
        await Task.WhenAll(fleet);
        Console.WriteLine($"scheduling: {runs} one-step runs submitted, placed, started and finished in {total.TotalSeconds:0.00} s: " +
            $"{total.TotalMilliseconds / runs:0.00} ms per run end to end ({submitted.TotalMilliseconds / runs:0.00} ms of it submitting through the API)");
    }

    /// <summary>One long run per simulated worker; every worker reports as fast as the silo answers, while `run list` is timed.</summary>
    private static async Task Reports(BenchCluster cluster, int workers, int seconds)
    {
        var (api, grains) = (cluster.Api, cluster.Grains);
        var scheduler = grains.GetGrain<ISchedulerGrain>(0);
        var runs = new List<(IRunGrain Run, int Attempt)>();
        for (var i = 0; i < workers; i++)
            await api.SubmitRunAsync(new SubmitRunRequest { SpecYaml = Spec });
        for (var w = 0; w < workers; w++)
        {
            cluster.ActAs($"sim-{w}");
            var me = new WorkerDescriptor($"sim-{w}", "bench", "cpu", 1, $"127.0.0.1:{20000 + w}");
            WorkerAssignment? assignment = null;
            for (var tries = 0; assignment is null && tries < 200; tries++)
                assignment = await scheduler.Heartbeat(me) ?? await Task.Delay(10).ContinueWith(_ => (WorkerAssignment?)null);
            var run = grains.GetGrain<IRunGrain>(assignment!.RunId);
            runs.Add((run, (await run.Join(0, me.Id))!.Attempt));
        }
        var still = new GanCluster.Contracts.Health.LossOscillation(0.1, 0, 0);
        var health = new GanCluster.Contracts.Health.RunHealth(1, 1.38, 0.69, 0.5, 0.5, 1, 1, 1.0, still, still, 100, GanCluster.Contracts.Health.HealthVerdict.Healthy, null, null);
        long reports = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var clock = Stopwatch.StartNew();
        var reporters = runs.Select((r, w) => Task.Run(async () =>
        {
            cluster.ActAs($"sim-{w}");
            long step = 0;
            while (!stop.IsCancellationRequested)
            {
                await r.Run.Report(new RunProgress(0, ++step, health, null, r.Attempt));
                Interlocked.Increment(ref reports);
            }
        })).ToList();
        var latencies = new List<double>();
        var listed = 0;
        while (!stop.IsCancellationRequested)
        {
            var t = Stopwatch.StartNew();
            listed = (await api.ListRunsAsync(new ListRunsRequest())).Runs.Count;
            latencies.Add(t.Elapsed.TotalMilliseconds);
            await Task.Delay(50);
        }
        await Task.WhenAll(reporters);
        var elapsed = clock.Elapsed.TotalSeconds;
        latencies.Sort();
        Console.WriteLine($"reports: {reports / elapsed:0} progress reports/s sustained over {elapsed:0.0} s from {workers} workers; " +
            $"`run list` ({listed} runs, {runs.Count} of them running; {latencies.Count} calls) p50 {latencies[latencies.Count / 2]:0.0} ms, p99 {latencies[(int)(latencies.Count * 0.99)]:0.0} ms");
        foreach (var (run, _) in runs)
            await api.CancelRunAsync(new RunRequest { Id = run.GetPrimaryKeyString() });
    }
}
