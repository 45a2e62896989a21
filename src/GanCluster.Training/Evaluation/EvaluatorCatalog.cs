using GanCluster.Training.Checkpoints;
using GanCluster.Specs;

namespace GanCluster.Training.Evaluation;

/// <summary>
/// The cache of trained evaluators: <c>$GANCLUSTER_CACHE/evaluators/NAME.evaluator</c> (default
/// <c>$XDG_CACHE_HOME/gancluster</c>, else <c>~/.cache/gancluster</c>). A run's evaluator is the one fitted
/// to the same dataset folder at the same image size and channel count.
/// </summary>
public sealed class EvaluatorCatalog(string directory)
{
    public string Directory { get; } = Path.GetFullPath(directory);

    public static EvaluatorCatalog Default()
    {
        var root = Environment.GetEnvironmentVariable("GANCLUSTER_CACHE") is { Length: > 0 } cache
            ? cache
            : Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "gancluster");
        return new EvaluatorCatalog(Path.Combine(root, "evaluators"));
    }

    public string PathFor(string name) => Path.Combine(Directory, name + ".evaluator");

    public IReadOnlyList<string> Files() => System.IO.Directory.Exists(Directory)
        ? System.IO.Directory.EnumerateFiles(Directory, "*.evaluator").Order(StringComparer.Ordinal).ToList()
        : [];

    /// <summary>The evaluator fitted to a run's dataset, or null when there is none (or the dataset is a 2D mixture).</summary>
    public Evaluator? FindFor(DatasetSpec dataset)
    {
        if (dataset.Path is null)
            return null;
        var path = Path.GetFullPath(dataset.Path);
        var shape = Data.DatasetFactory.SampleShape(dataset);
        foreach (var file in Files())
        {
            Evaluator candidate;
            try
            {
                candidate = Evaluator.Load(file);
            }
            catch (CheckpointException)
            {
                continue; // A damaged cache file never blocks another evaluator; `evaluator list` reports it.
            }
            if (candidate.Info.DatasetPath == path && candidate.SampleShape.SequenceEqual(shape))
                return candidate;
            candidate.Dispose();
        }
        return null;
    }

    /// <summary>Like <see cref="FindFor"/>, but a missing evaluator is an error that says how to train one.</summary>
    public Evaluator RequireFor(DatasetSpec dataset)
    {
        if (FindFor(dataset) is { } found)
            return found;
        var recipe = dataset.Kind == DatasetKind.Idx ? "mnist (or fashion-mnist)" : "faces";
        throw new EvaluatorException(
            $"no evaluator in {Directory} fits the dataset {dataset.Path} ([{string.Join(", ", Data.DatasetFactory.SampleShape(dataset))}] images); " +
            $"train one with `gancluster evaluator train --dataset {recipe} --path {dataset.Path}`");
    }
}
