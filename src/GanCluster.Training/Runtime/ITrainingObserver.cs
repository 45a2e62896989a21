using GanCluster.Training.Health;

namespace GanCluster.Training.Runtime;

/// <summary>What a training loop tells its host: steps, health records, sample grids and checkpoints as they happen.</summary>
public interface ITrainingObserver
{
    void OnStarted(long fromStep, long totalSteps) { }

    /// <summary>Every step, with its wall time (training, collectives and any report); keep it cheap.</summary>
    void OnStep(long step, TimeSpan elapsed) { }

    void OnReport(HealthRecord record, long totalSteps) { }

    void OnSamples(long step, string path) { }

    void OnCheckpoint(CheckpointWritten checkpoint) { }
}
