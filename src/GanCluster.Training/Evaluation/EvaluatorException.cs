namespace GanCluster.Training.Evaluation;

/// <summary>An evaluator is missing, does not fit the data it is asked to judge, or cannot be trained as asked.</summary>
public sealed class EvaluatorException(string message) : Exception(message);
