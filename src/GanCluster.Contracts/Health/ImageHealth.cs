namespace GanCluster.Contracts.Health;

/// <summary>An image run's periodic evaluation in the feature space of its dataset's evaluator.</summary>
[GenerateSerializer, Immutable, Alias("gancluster.ImageHealth")]
public sealed record ImageHealth(
    [property: Id(0)] string Extractor,
    [property: Id(1)] int Classes,
    [property: Id(2)] int ClassesCovered,
    [property: Id(3)] double LabelEntropy,
    [property: Id(4)] double ClassifierScore,
    [property: Id(5)] double? LabelAgreement,
    [property: Id(6)] double FrechetDistance,
    [property: Id(7)] double Kid,
    [property: Id(8)] double Precision,
    [property: Id(9)] double Recall,
    [property: Id(10)] double Density,
    [property: Id(11)] double Coverage);
