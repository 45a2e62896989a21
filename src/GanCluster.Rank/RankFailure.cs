using GanCluster.Collective;
using GanCluster.Specs;
using GanCluster.Training.Checkpoints;
using GanCluster.Training.Data;
using GanCluster.Training.Evaluation;
using GanCluster.Training.Models;
using GanCluster.Training.Runtime;

namespace GanCluster.Rank;

/// <summary>The failures a rank reports as one line and an exit code (a user's or the cluster's problem, not a bug).</summary>
public static class RankFailure
{
    public static (string Category, int ExitCode)? Classify(Exception e) => e switch
    {
        SpecException => ("invalid spec", ExitCodes.UsageError),
        DatasetException => ("dataset error", ExitCodes.DataError),
        CheckpointException => ("checkpoint error", ExitCodes.CheckpointError),
        EvaluatorException => ("evaluator", ExitCodes.DataError),
        DeviceUnavailableException => ("device unavailable", ExitCodes.DeviceUnavailable),
        ModelFootprintException => ("too large for this rank", ExitCodes.DeviceUnavailable),
        CollectiveException => ("peer lost", ExitCodes.PeerLost),
        _ => null,
    };
}
