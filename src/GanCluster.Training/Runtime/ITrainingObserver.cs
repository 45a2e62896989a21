using GanCluster.Training.Health;

namespace GanCluster.Training.Runtime;

/// <summary>What a training loop tells its host: health records, sample grids and checkpoints as they happen.</summary>
public interface ITrainingObserver
{
    void OnStarted(long fromStep, long totalSteps) { }
    void OnReport(HealthRecord record, long totalSteps) { }
    void OnSamples(long step, string path) { }
    void OnCheckpoint(long step, string path, string sha256) { }
}
