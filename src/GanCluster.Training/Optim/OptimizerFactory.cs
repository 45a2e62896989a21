using GanCluster.Specs;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanCluster.Training.Optim;

/// <summary>Builds the optimizer a spec names for one network's parameters.</summary>
public static class OptimizerFactory
{
    public static OptimizerHelper Create(OptimizerSpec spec, IEnumerable<Parameter> parameters) => spec.Kind switch
    {
        OptimizerKind.Adam => optim.Adam(parameters, spec.LearningRate, spec.Beta1, spec.Beta2, weight_decay: spec.WeightDecay),
        OptimizerKind.Rmsprop => optim.RMSProp(parameters, spec.LearningRate, alpha: spec.Alpha, weight_decay: spec.WeightDecay, momentum: spec.Momentum),
        OptimizerKind.Sgd => optim.SGD(parameters, spec.LearningRate, momentum: spec.Momentum, weight_decay: spec.WeightDecay),
        _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Kind, "unknown optimizer"),
    };
}
