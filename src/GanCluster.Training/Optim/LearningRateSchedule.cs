using GanCluster.Specs;
using TorchSharp.Modules;

namespace GanCluster.Training.Optim;

/// <summary>The learning rate as a pure function of the step, so that a resumed run follows the same schedule.</summary>
public static class LearningRateSchedule
{
    public static double At(OptimizerSpec spec, long step, long totalSteps)
    {
        if (spec.EndLearningRate is not { } end || totalSteps <= 0)
            return spec.LearningRate;
        var progress = Math.Clamp((double)step / totalSteps, 0, 1);
        return spec.LearningRate + (end - spec.LearningRate) * progress;
    }

    /// <summary>Sets every parameter group's rate for <paramref name="step"/>; a no-op without a schedule.</summary>
    public static void Apply(OptimizerHelper optimizer, OptimizerSpec spec, long step, long totalSteps)
    {
        if (spec.EndLearningRate is null)
            return;
        var rate = At(spec, step, totalSteps);
        foreach (var group in optimizer.ParamGroups)
            group.LearningRate = rate;
    }
}
