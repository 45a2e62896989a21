using System.Diagnostics;
using GanCluster.Contracts;
using GanCluster.Contracts.Control;
using GanCluster.Contracts.Grains;
using Health = GanCluster.Contracts.Health;

namespace GanCluster.Bench;

/// <summary>
/// Control-plane scale (issue 14): one random sweep of many one-step trials on simulated workers, against the ideal
/// (trial work divided by the workers), as Ray Tune's "10,000 trials of 1 s on 16 CPUs" benchmark measures it.
/// The simulated workers are real Orleans clients of a real silo, with the workers' certificates and credentials,
/// speaking the worker protocol (heartbeat, join, report an evaluation, finish); each trial "trains" for a fixed
/// time. Start the silo first: <c>gancluster up --workers 0 --cluster DIR</c>.
/// </summary>
internal static class SweepScale
{
    public static int Run(string clusterDir, int trials, int workers, int trialMs)
    {
        using var cluster = BenchCluster.Connect(clusterDir);
        var before = cluster.SiloResidentMegabytes();
        Console.WriteLine($"# Control-plane scale: a random sweep of {trials:N0} one-step trials, {workers} simulated workers, {trialMs} ms of work per trial ({Environment.ProcessorCount} cores; silo and workers on this machine)");
        Console.WriteLine();
        var (total, id) = Sweep(cluster, workers, trials, trialMs).GetAwaiter().GetResult();
        var after = cluster.SiloResidentMegabytes();
        var sweep = cluster.Api.GetSweep(new SweepRequest { Id = id });
        var ideal = TimeSpan.FromMilliseconds((double)trials * trialMs / workers);
        var completed = sweep.Trials.Count(t => t.State == Contracts.Control.RunState.Completed);
        Console.WriteLine("| trials | workers | work per trial | ideal (work / workers) | measured | over ideal | control-plane time per trial | silo RSS before → after |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        Console.WriteLine($"| {trials:N0} ({completed:N0} completed, sweep {sweep.State}) | {workers} | {trialMs} ms | {ideal.TotalSeconds:F1} s | {total.TotalSeconds:F1} s | " +
            $"{(total / ideal - 1):P1} | {(total - ideal).TotalMilliseconds * workers / trials:F1} ms | {before:F0} → {after:F0} MB |");
        return completed == trials ? 0 : 1;
    }

    private static async Task<(TimeSpan Total, string Id)> Sweep(BenchCluster cluster, int workers, int trials, int trialMs)
    {
        var (api, grains) = (cluster.Api, cluster.Grains);
        var yaml = $$"""
            name: scale
            base:
              name: scale
              steps: 1
              batch_size: 8
              threads: 1
              model: { name: toy, hidden: 8 }
              dataset: { kind: ring8 }
              report_every: 1
              checkpoint_every: 0
              health: { eval_every: 1, eval_samples: 100 }
            space:
              optimizers.g.lr: { loguniform: [1.0e-4, 1.0e-2] }
            algorithm: { kind: random }
            metric: { name: modes_covered, goal: max }
            max_trials: {{trials}}
            max_concurrent_trials: {{workers}}
            steps_per_trial: 1
            seed: 1
            keep_best: 0
            """;
        var still = new Health.LossOscillation(0.1, 0, 0);
        var done = 0;
        using var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var id = (await api.SubmitSweepAsync(new SubmitSweepRequest { SweepYaml = yaml })).Id;
        var tasks = Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var me = $"sim-{w}";
            cluster.ActAs(me);
            var scheduler = grains.GetGrain<ISchedulerGrain>(0);
            var descriptor = new WorkerDescriptor(me, "bench", "cpu", 1, "127.0.0.1:1");
            var random = new Random(w);
            // As a real worker: the scheduler wakes it when it places a rank on it; otherwise it heartbeats on its period.
            var woken = new Nudge();
            var observer = grains.CreateObjectReference<IWorkerObserver>(woken);
            await scheduler.Subscribe(me, observer);
            while (!stop.IsCancellationRequested)
            {
                var assignment = await scheduler.Heartbeat(descriptor);
                if (assignment is null)
                {
                    await woken.Wait(GanCluster.Worker.WorkerLoop.HeartbeatPeriod, stop.Token);
                    continue;
                }
                var run = grains.GetGrain<IRunGrain>(assignment.RunId);
                if (await run.Join(assignment.Rank, me) is not { } launch)
                    continue;
                await Task.Delay(trialMs);
                var evaluation = new Health.RunHealth(1, 1.38, 0.69, 0.5, 0.5, 1, 1, 1.0, still, still, 100, Health.HealthVerdict.Healthy, new Health.MixtureHealth(8, random.Next(9), 8, 0.5, 0.1), null);
                await run.Report(new RunProgress(0, 1, evaluation, null, launch.Attempt) { Evaluations = [evaluation] });
                await run.Finished(assignment.Rank, launch.Attempt, GanCluster.Contracts.RunState.Completed, 1, null, retryable: false);
                if (Interlocked.Increment(ref done) % 1000 == 0)
                    Console.Error.WriteLine($"{done} trials done, {clock.Elapsed.TotalSeconds:F0} s");
            }
        })).ToList();
        // The sweep is done when its grain says so (every trial's end has reached it), not when the last worker finished.
        // A sweep's whole snapshot (every trial) is asked for rarely until the workers are done, as a user's `sweep show` would.
        while ((await api.GetSweepAsync(new SweepRequest { Id = id })).State == Contracts.Control.SweepState.Running)
        {
            var wait = Stopwatch.StartNew();
            while (Volatile.Read(ref done) < trials && wait.Elapsed < TimeSpan.FromSeconds(30))
                await Task.Delay(50);
            await Task.Delay(Volatile.Read(ref done) < trials ? 0 : 20);
        }
        var total = clock.Elapsed;
        await stop.CancelAsync();
        await Task.WhenAll(tasks);
        return (total, id);
    }


    /// <summary>A simulated worker's observer: the scheduler's one-way wake-up, as <c>WorkerLoop</c> takes it.</summary>
    private sealed class Nudge : IWorkerObserver
    {
        private readonly SemaphoreSlim _signal = new(0, 1);

        public Task AssignmentChanged()
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // One wake-up is already pending: one heartbeat answers both.
            }
            return Task.CompletedTask;
        }

        public async Task Wait(TimeSpan timeout, CancellationToken cancellation)
        {
            try
            {
                await _signal.WaitAsync(timeout, cancellation);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
