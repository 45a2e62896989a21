namespace GanCluster.Training.Trainer;

/// <summary>The network a collective operation is about.</summary>
public enum NetworkRole
{
    Generator,
    Discriminator,
}

/// <summary>
/// What a data-parallel trainer asks of its peers at fixed points of every step. Every rank calls these in the
/// same order; an implementation blocks until the collective is complete or throws when a peer is lost.
/// </summary>
public interface IDataParallelSync
{
    /// <summary>
    /// The next backward completes the gradients of <paramref name="network"/> that <see cref="AverageGradients"/> then
    /// averages: an implementation may start reducing buckets of them while that backward runs.
    /// </summary>
    void BeforeBackward(NetworkRole network, long step);

    /// <summary>Replaces this rank's gradients of <paramref name="network"/> with the mean over all ranks (before its optimizer step).</summary>
    void AverageGradients(NetworkRole network, long step);

    /// <summary>Makes module buffers (BatchNorm statistics) equal to rank 0's, at the end of a step.</summary>
    void SynchronizeBuffers(long step);

    /// <summary>Replaces each value with its mean over all ranks (the reported losses).</summary>
    void AverageScalars(float[] values, long step);

    /// <summary>True when any rank passes true: a stop request (Ctrl+C, SIGTERM) takes effect on every rank after the same step.</summary>
    bool AnyRank(bool flag, long step);
}
