using GanCluster.Specs;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanCluster.Training.Optim;

/// <summary>Builds the optimizer a spec names for one network's parameters, and retunes a live one to a spec.</summary>
public static class OptimizerFactory
{
    public static OptimizerHelper Create(OptimizerSpec spec, IEnumerable<Parameter> parameters) => spec.Kind switch
    {
        OptimizerKind.Adam => optim.Adam(parameters, spec.LearningRate, spec.Beta1, spec.Beta2, weight_decay: spec.WeightDecay),
        OptimizerKind.Rmsprop => optim.RMSProp(parameters, spec.LearningRate, alpha: spec.Alpha, weight_decay: spec.WeightDecay, momentum: spec.Momentum),
        OptimizerKind.Sgd => optim.SGD(parameters, spec.LearningRate, momentum: spec.Momentum, weight_decay: spec.WeightDecay),
        _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Kind, "unknown optimizer"),
    };

    /// <summary>
    /// Writes the spec's hyperparameters (rate, betas, alpha, momentum, weight decay) into every parameter group of a
    /// live optimizer, keeping its moments. A loaded optimizer state brings back the rates it was saved with; after
    /// this the spec's govern, which is how PBT's explore reaches an optimizer it copied from another trial. For the
    /// spec the state was saved under it changes nothing.
    /// </summary>
    public static void Retune(OptimizerHelper optimizer, OptimizerSpec spec)
    {
        foreach (var group in optimizer.ParamGroups.Cast<ParamGroup>())
        {
            group.LearningRate = spec.LearningRate;
            group.InitialLearningRate = spec.LearningRate;
            switch (group.Options)
            {
                case Adam.Options adam when spec.Kind == OptimizerKind.Adam:
                    (adam.beta1, adam.beta2, adam.weight_decay) = (spec.Beta1, spec.Beta2, spec.WeightDecay);
                    break;
                case RMSProp.Options rmsprop when spec.Kind == OptimizerKind.Rmsprop:
                    (rmsprop.alpha, rmsprop.momentum, rmsprop.weight_decay) = (spec.Alpha, spec.Momentum, spec.WeightDecay);
                    break;
                case SGD.Options sgd when spec.Kind == OptimizerKind.Sgd:
                    (sgd.momentum, sgd.weight_decay) = (spec.Momentum, spec.WeightDecay);
                    break;
                default:
                    throw new ArgumentException($"the optimizer is {optimizer.GetType().Name}, the spec names {spec.Kind}: a checkpoint's optimizer state cannot change kind", nameof(spec));
            }
        }
    }
}
