using System.Text.Json;
using System.Text.Json.Serialization;
using GanCluster.Training.Checkpoints;
using GanCluster.Training.Evaluation;

namespace GanCluster.Training.Health;

/// <summary>
/// What a <see cref="HealthMonitor"/> carries from one report to the next: the loss oscillation windows, the collapse
/// detector's medians and the latest evaluation. Saved in every checkpoint (entry <c>health/monitor</c>, JSON) so that a
/// resumed run's health records continue the uninterrupted run's; checkpoints written before it was saved lack it.
/// </summary>
public sealed record HealthState(
    IReadOnlyList<double> DiscriminatorLosses,
    IReadOnlyList<double> GeneratorLosses,
    IReadOnlyList<double> Diversity,
    IReadOnlyList<double> Gap,
    MixtureQuality? Mixture,
    ImageQuality? Images)
{
    public const string EntryName = "health/monitor";

    /// <summary>The verdict's hysteresis and best quality; null in checkpoints written before the verdict had dimensions.</summary>
    public VerdictState? Verdict { get; init; }

    // Round-trip exact: doubles are written shortest-exact, and a NaN or infinite metric survives as a literal.
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public CheckpointEntry ToEntry() => new(EntryName, null, null, JsonSerializer.SerializeToUtf8Bytes(this, Json));

    /// <summary>The state saved in <paramref name="checkpoint"/>, or null when it was written before health state was saved.</summary>
    public static HealthState? From(Checkpoint checkpoint, string path)
    {
        if (checkpoint.Find(EntryName) is not { } entry)
            return null;
        try
        {
            return JsonSerializer.Deserialize<HealthState>(entry.Data, Json) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new CheckpointException(path, $"health state '{EntryName}' is malformed ({e.Message})");
        }
    }
}
