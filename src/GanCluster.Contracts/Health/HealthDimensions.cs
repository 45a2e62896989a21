namespace GanCluster.Contracts.Health;

/// <summary>Mode coverage, as the verdict judges it (the values of GanCluster.Training's ModeHealth).</summary>
[GenerateSerializer, Alias("gancluster.ModeHealth")]
public enum ModeHealth { Unmeasured = 0, Healthy = 1, Collapsing = 2, Collapsed = 3 }

/// <summary>The quality metric's trend against the run's best.</summary>
[GenerateSerializer, Alias("gancluster.QualityTrend")]
public enum QualityTrend { Unmeasured = 0, Improving = 1, Stalled = 2, Degrading = 3 }

/// <summary>Whether the samples are near the data at all.</summary>
[GenerateSerializer, Alias("gancluster.Convergence")]
public enum Convergence { Unmeasured = 0, Converging = 1, NotConverging = 2 }

/// <summary>The verdict's one word: its worst dimension.</summary>
[GenerateSerializer, Alias("gancluster.HealthSummary")]
public enum HealthSummary { Healthy = 0, Unmeasured = 1, Degrading = 2, Collapsing = 3, NotConverging = 4, Collapsed = 5, Diverged = 6 }

/// <summary>The verdict in its dimensions, and the run's quality metric at its best so far (whose checkpoint the run keeps).</summary>
[GenerateSerializer, Immutable, Alias("gancluster.HealthDimensions")]
public sealed record HealthDimensions(
    [property: Id(0)] HealthSummary Summary,
    [property: Id(1)] ModeHealth Modes,
    [property: Id(2)] QualityTrend Trend,
    [property: Id(3)] Convergence Convergence,
    [property: Id(4)] string QualityMetric,
    [property: Id(5)] double? BestQuality,
    [property: Id(6)] long BestQualityStep,
    [property: Id(7)] string? BestCheckpoint = null);
