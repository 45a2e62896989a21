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
    private readonly Lock _gate = new();
    private DateTimeOffset _lastHeartbeat = DateTimeOffset.MinValue;
    private RankJob? _job;
    private Task _running = Task.CompletedTask;

    /// <summary>Set once the worker is draining: it takes no new rank, and stops heartbeating once its rank has stopped.</summary>
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _draining;

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
        var subscribed = DateTimeOffset.MinValue;
        try
        {
            while (!stoppingToken.IsCancellationRequested && !_drained.Task.IsCompleted)
            {
                RankJob? job;
                Task running;
                lock (_gate)
                    (job, running) = (_job, _running);
                try
                {
                    if (DateTimeOffset.UtcNow - subscribed > SubscribePeriod)
                    {
                        await scheduler.Subscribe(options.Id, me);
                        subscribed = DateTimeOffset.UtcNow;
                    }
                    var assignment = await scheduler.Heartbeat(descriptor with { Running = job is { } j && !running.IsCompleted ? j.Assignment : null });
                    _lastHeartbeat = DateTimeOffset.UtcNow;
                    lock (_gate)
                    {
                        if (_job is not null && _running.IsCompleted)
                            _job = null;
                        if (_job is not null && !_job.Assignment.SamePlacement(assignment))
                            _job.Stop(); // revoked (cancelled, our lease expired) or superseded by a new placement of the run
                        else if (_job is null && assignment is not null && !_draining)
                        {
                            _job = new RankJob(grains, options, data, assignment, logger, rankMeter);
                            _running = RunJob(_job);
                        }
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The silo is down or restarting: keep training, keep trying (the Orleans client reconnects).
                    subscribed = DateTimeOffset.MinValue;
                    logger.LogWarning("Heartbeat failed ({Error}: {Message}); retrying", e.GetType().Name, e.Message);
                }
                // The next beat, or at once when the scheduler says the assignment changed (or a job ended).
                await Task.WhenAny(_nudge.WaitAsync(HeartbeatPeriod, stoppingToken), _drained.Task);
            }
        }
        catch (OperationCanceledException)
        {
        }
        // Shutting down (SIGTERM: a pod deleted, a node drained, `gancluster down`), unless drained already: the rank
        // stops after its step and rank 0 checkpoints; the run is requeued from there, not cancelled.
        await DrainAsync($"worker {options.Id} is shutting down");
        grains.DeleteObjectReference<IWorkerObserver>(me);
    }

    /// <summary>
    /// Drains the worker (the pod's preStop hook, through <c>POST /drain</c>, or SIGTERM): it takes no new rank; a rank
    /// it trains stops after its step with its run requeued from the checkpoint rank 0 writes; then it leaves the
    /// scheduler, so nothing is placed on it again. Returns once all of that is done.
    /// </summary>
    public async Task DrainAsync(string reason)
    {
        RankJob? job;
        Task running;
        lock (_gate)
        {
            _draining = true;
            (job, running) = (_job, _running);
        }
        if (job is not null && !running.IsCompleted)
            await job.Drain(reason);
        await running;
        if (_drained.TrySetResult())
        {
            try
            {
                await grains.GetGrain<ISchedulerGrain>(0).Leave(settings.Value.Id).WaitAsync(TimeSpan.FromSeconds(10));
                logger.LogInformation("Worker {WorkerId} drained: {Reason}; it left the scheduler", settings.Value.Id, reason);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The silo is unreachable: the lease expires within seconds anyway.
                logger.LogWarning("Worker {WorkerId} drained but could not leave the scheduler ({Error}); its lease will expire", settings.Value.Id, e.GetType().Name);
            }
        }
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
