using System.CommandLine;
using GanCluster.Training.Runtime;

namespace GanCluster.Cli.Commands;

/// <summary>
/// The checkpoint a command reads: a <c>.gck</c> file, or a run folder (its newest checkpoint, or with <c>--best</c> the
/// best one it keeps by its quality metric). Shared by <c>samples</c> and <c>evaluate</c>.
/// </summary>
internal sealed class CheckpointChoice
{
    private readonly Argument<string> _path = new("checkpoint") { Description = "a checkpoint file, or a run folder (its newest checkpoint; with --best its best)" };
    private readonly Option<bool> _best = new("--best") { Description = "with a run folder: the run's best checkpoint by its quality metric (keep_best), not its newest" };

    public CheckpointChoice(Command command)
    {
        command.Arguments.Add(_path);
        command.Options.Add(_best);
    }

    /// <summary>The checkpoint file chosen; a usage error names what is missing.</summary>
    public string Resolve(ParseResult parsed)
    {
        var path = parsed.GetValue(_path)!;
        var best = parsed.GetValue(_best);
        if (!Directory.Exists(path))
        {
            if (best)
                throw new UsageException($"--best takes a run folder, and {path} is not one (give the folder that holds spec.yaml and checkpoints/)");
            return path;
        }
        var directory = new RunDirectory(path);
        if (best)
        {
            var kept = BestCheckpoints.Read(directory);
            if (kept.Count == 0)
                throw new UsageException($"{path} keeps no best checkpoint ({directory.CheckpointsFolder}/best is empty): the run was never evaluated, or its spec says keep_best: none");
            return kept[0].Path;
        }
        var newest = directory.Checkpoints();
        if (newest.Count == 0)
            throw new UsageException($"{path} holds no checkpoint ({directory.CheckpointsFolder} has no step-*.gck)");
        return newest[^1];
    }
}
