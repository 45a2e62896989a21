using GanCluster.Training.Trainer;

namespace GanCluster.Training.Runtime;

/// <summary>What a training loop tells its host: reports, sample grids and checkpoints as they happen.</summary>
public interface ITrainingObserver
{
    void OnStarted(long fromStep, long totalSteps) { }
    void OnReport(StepReport report, long totalSteps, double stepsPerSecond) { }
    void OnSamples(long step, string path) { }
    void OnCheckpoint(long step, string path, string sha256) { }
}
