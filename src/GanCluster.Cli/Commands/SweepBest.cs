using System.Text.Json;
using GanCluster.Contracts.Control;
using GanCluster.Specs;
using GanCluster.Training.Checkpoints;
using GanCluster.Training.Samples;
using GanCluster.Training.Trainer;

namespace GanCluster.Cli.Commands;

/// <summary>
/// <c>sweep best ID --out DIR</c>: the best trial's best checkpoint (by the sweep's metric, from its
/// <c>checkpoints/best</c>, its SHA-256 checked against the index), the trial's effective spec, a sample grid from
/// that checkpoint, and a summary.json naming the trial, its values, seed, score and step.
/// </summary>
internal static class SweepBest
{
    public sealed record Exported(Trial Trial, string Checkpoint, string Spec, string Samples, string Summary);

    public static Exported Export(Sweep sweep, string store, string outDir)
    {
        var scored = sweep.Trials.Where(t => t.HasBest).ToList();
        var best = (sweep.Maximise ? scored.MaxBy(t => t.Best) : scored.MinBy(t => t.Best))
            ?? throw new UsageException($"sweep {sweep.Id} has no scored trial yet (no evaluation of {sweep.Metric} has arrived)");
        // A PBT trial's best evaluation may lie in an earlier segment: that run's folder keeps its checkpoint.
        var run = best.BestRunId.Length > 0 ? best.BestRunId : best.RunId;
        var values = best.Lineage.FirstOrDefault(g => g.RunId == run)?.Values ?? best.Values;
        var runFolder = Path.Combine(store, run);
        var index = Path.Combine(runFolder, "checkpoints", "best", "index.json");
        if (!File.Exists(index))
            throw new UsageException($"trial {best.Number} ({run}) kept no best checkpoint: {index} is missing (is the store {store} the one its workers wrote?)");
        using var entries = JsonDocument.Parse(File.ReadAllText(index));
        var kept = entries.RootElement.EnumerateArray().FirstOrDefault(e => e.GetProperty("Step").GetInt64() == best.BestStep);
        if (kept.ValueKind != JsonValueKind.Object)
            throw new UsageException($"trial {best.Number}'s best evaluation was at step {best.BestStep}, but {index} keeps no checkpoint of that step");
        var source = kept.GetProperty("Path").GetString()!;
        if (!source.StartsWith(Path.Combine(runFolder, "checkpoints", "best") + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new UsageException($"{index} names {source}, outside the trial's folder: not copied");
        var checkpoint = CheckpointFile.Read(source);
        if (checkpoint.Sha256 != kept.GetProperty("Sha256").GetString())
            throw new UsageException($"{source}: SHA-256 {checkpoint.Sha256}, but {kept.GetProperty("Sha256").GetString()} was recorded; the file was replaced or damaged");

        Directory.CreateDirectory(outDir);
        var target = Path.Combine(outDir, Path.GetFileName(source));
        File.Copy(source, target, overwrite: true);
        var spec = Path.Combine(outDir, "spec.yaml");
        File.WriteAllText(spec, checkpoint.SpecYaml);
        // A 2D mixture's samples are points (CSV); an image dataset's, a grid.
        var mixture = RunSpecLoader.LoadText(checkpoint.SpecYaml, source, resolvePaths: false).Spec.Dataset.Kind.IsMixture();
        var samples = Path.Combine(outDir, mixture ? "samples.csv" : "samples.png");
        using (var generator = new CheckpointGenerator(checkpoint, source))
        using (var drawn = generator.Generate(64))
            SampleFiles.Write(drawn, samples);
        var summary = Path.Combine(outDir, "summary.json");
        File.WriteAllText(summary, JsonSerializer.Serialize(new
        {
            Sweep = sweep.Id, sweep.Metric, Goal = sweep.Maximise ? "max" : "min", Trial = best.Number, RunId = run, best.Configuration, best.Seed,
            Values = values.ToDictionary(), Score = best.Best, best.BestStep, Checkpoint = Path.GetFileName(target), checkpoint.Sha256,
        }, new JsonSerializerOptions { WriteIndented = true }));
        return new Exported(best, target, spec, samples, summary);
    }
}
