using GanCluster.Collective;
using GanCluster.Training.Checkpoints;
using GanCluster.Training.Data;
using GanCluster.Specs;
using GanCluster.Training.Trainer;

namespace GanCluster.Rank.DataParallel;

/// <summary>
/// Everything one rank trains with: its ring (when data-parallel), the dataset, the trainer on this rank's shard,
/// the checkpoint restored, and the DDP sync with rank 0's state broadcast. Used by the static launcher's worker
/// verb and by the control plane's workers alike.
/// </summary>
public sealed class RankSession : IDisposable
{
    private readonly RingCommunicator? _ring;

    /// <param name="ring">The ring of a data-parallel run, or null for a single process.</param>
    /// <param name="cancellation">Abandons joining the ring (a superseded placement).</param>
    public RankSession(RunSpec spec, Checkpoint? checkpoint, string? checkpointPath, RingOptions? ring, CancellationToken cancellation = default)
    {
        Rank = ring?.Rank ?? 0;
        WorldSize = ring?.WorldSize ?? 1;
        try
        {
            // The ring comes up first, so that heartbeats flow while the ranks load data.
            _ring = ring is null ? null : RingCommunicator.StartAsync(ring, cancellation).GetAwaiter().GetResult();
            Dataset = DatasetFactory.Open(spec.Dataset, spec.Seed);
            Trainer = new GanTrainer(spec, Dataset, new ShardSlice(Rank, WorldSize, spec.BatchSize));
            if (checkpoint is not null)
                TrainerState.Restore(Trainer, checkpoint, checkpointPath ?? "(checkpoint)");
            if (_ring is not null)
            {
                Sync = new RingDataParallelSync(_ring, Trainer);
                Sync.BroadcastState(checkpoint is null ? "start: parameters from rank 0" : "resume: parameters from rank 0");
                Trainer.Sync = Sync;
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int Rank { get; }
    public int WorldSize { get; }
    public IGanDataset Dataset { get; } = null!;
    public GanTrainer Trainer { get; } = null!;
    public RingDataParallelSync? Sync { get; }

    /// <summary>Rank 0 writes the run's files and evaluates; the others only train.</summary>
    public bool IsPrimary => Rank == 0;

    public void Dispose()
    {
        Sync?.Dispose();
        Trainer?.Dispose();
        Dataset?.Dispose();
        _ring?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
