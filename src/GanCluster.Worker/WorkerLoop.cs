using GanCluster.Contracts.Grains;
using GanCluster.Hosting.Logging;
using GanCluster.Rank;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GanCluster.Worker;

/// <summary>
/// The cluster worker's life: heartbeats to the scheduler every second (renewing its lease), trains the rank it is
/// assigned, one at a time, and stops it when the assignment is revoked or superseded. The scheduler also pushes a
/// nudge the moment a placement changes, so an idle worker starts within milliseconds instead of at its next beat.
/// </summary>
public sealed class WorkerLoop(IClusterClient grains, IOptions<WorkerOptions> settings, RankMeter rankMeter, WorkerMeter workerMeter, ILogger<WorkerLoop> logger)
    : BackgroundService, IWorkerObserver
{
    public static readonly TimeSpan HeartbeatPeriod = TimeSpan.FromSeconds(1);

    /// <summary>The subscription lives in the scheduler's memory: renewed this often, it survives a new activation.</summary>
    private static readonly TimeSpan SubscribePeriod = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _nudge = new(0, 1);
    private DateTimeOffset _lastHeartbeat = DateTimeOffset.MinValue;

    /// <summary>When a heartbeat last reached the scheduler (readiness).</summary>
    public DateTimeOffset LastHeartbeat => _lastHeartbeat;

    public Task AssignmentChanged()
    {
        try
        {
            _nudge.Release();
        }
        catch (SemaphoreFullException)
        {
            // A nudge is already pending: one heartbeat answers both.
        }
        return Task.CompletedTask;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var options = settings.Value;
        var scheduler = grains.GetGrain<ISchedulerGrain>(0);
        var me = grains.CreateObjectReference<IWorkerObserver>(this);
        var descriptor = new WorkerDescriptor(options.Id, Environment.MachineName, workerMeter.Device, options.Threads, $"{options.Host}:{options.RingPort}");
        var data = options.AllowedData();
        logger.LogInformation("Worker {WorkerId} ready: {Silos}, ring endpoint {RingEndpoint}, {Threads} thread(s), store {Store}, data roots {DataRoots}",
            options.Id, options.DescribeSilos(), descriptor.RingEndpoint, options.Threads, options.Store, data.Describe());
        RankJob? job = null;
        var running = Task.CompletedTask;
        var subscribed = DateTimeOffset.MinValue;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    if (DateTimeOffset.UtcNow - subscribed > SubscribePeriod)
                    {
                        await scheduler.Subscribe(options.Id, me);
                        subscribed = DateTimeOffset.UtcNow;
                    }
                    var assignment = await scheduler.Heartbeat(descriptor with { Running = job is { } j && !running.IsCompleted ? j.Assignment : null });
                    _lastHeartbeat = DateTimeOffset.UtcNow;
                    if (job is not null && running.IsCompleted)
                        job = null;
                    if (job is not null && !job.Assignment.SamePlacement(assignment))
                        job.Stop(); // revoked (cancelled, our lease expired) or superseded by a new placement of the run
                    else if (job is null && assignment is not null)
                    {
                        job = new RankJob(grains, options, data, assignment, logger, rankMeter);
                        running = RunJob(job);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The silo is down or restarting: keep training, keep trying (the Orleans client reconnects).
                    subscribed = DateTimeOffset.MinValue;
                    logger.LogWarning("Heartbeat failed ({Error}: {Message}); retrying", e.GetType().Name, e.Message);
                }
                // The next beat, or at once when the scheduler says the assignment changed (or a job ended).
                await _nudge.WaitAsync(HeartbeatPeriod, stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
        // Shutting down (SIGTERM: a pod deleted, a node drained, `gancluster down`): the rank stops after its step
        // and rank 0 checkpoints; the run is requeued from there, not cancelled.
        if (job is not null && !running.IsCompleted)
            await job.Drain($"worker {options.Id} is shutting down");
        await running;
        grains.DeleteObjectReference<IWorkerObserver>(me);
    }

    private async Task RunJob(RankJob job)
    {
        workerMeter.Training = true;
        try
        {
            using (LogScope.ForRank(job.Assignment.RunId, null, job.Assignment.Rank))
                await Task.Run(job.RunAsync);
        }
        finally
        {
            workerMeter.Training = false;
            // Tell the scheduler at once that this worker is free.
            await AssignmentChanged();
        }
    }
}
