using GanCluster.Training.Data;
using GanCluster.Specs;
using GanCluster.Training.Trainer;

namespace GanCluster.Training.Tests;

/// <summary>Small, fast run specs for tests, built from YAML like a user's.</summary>
internal static class TestSpecs
{
    public static RunSpec Toy(params string[] overrides) => Load("""
        name: test-toy
        seed: 7
        steps: 50
        batch_size: 32
        threads: 1
        model: { name: toy, latent_dim: 4, hidden: 32, layers: 2 }
        dataset: { kind: ring8 }
        report_every: 1
        """, overrides);

    public static RunSpec Image(string model, string datasetPath, params string[] overrides)
    {
        var (kind, size) = model == "dcgan64" ? ("images", 64) : ("idx", 28);
        return Load($"""
            name: test-{model}
            seed: 3
            steps: 10
            batch_size: 8
            threads: 1
            model: {"{"} name: {model}, hidden: {(model == "dcgan64" ? 8 : 32)} {"}"}
            dataset: {"{"} kind: {kind}, path: {datasetPath}, image_size: {size}, channels: 1 {"}"}
            report_every: 1
            """, overrides);
    }

    public static RunSpec Load(string yaml, params string[] overrides) => RunSpecLoader.LoadText(yaml, "test.yaml", overrides).Spec;

    /// <summary>Trains <paramref name="steps"/> steps, reading the losses of every step.</summary>
    public static List<StepReport> Train(GanTrainer trainer, int steps) =>
        Enumerable.Range(0, steps).Select(_ => trainer.TrainStep(report: true)!).ToList();

    public static GanTrainer Trainer(RunSpec spec, IGanDataset dataset) => new(spec, dataset, ShardSlice.Single(spec.BatchSize));
}

/// <summary>An observer that hears nothing: for loops whose files are what a test reads.</summary>
internal sealed class NullObserver : GanCluster.Training.Runtime.ITrainingObserver;
