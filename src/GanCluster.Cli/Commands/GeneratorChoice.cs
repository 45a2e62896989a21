using System.CommandLine;
using GanCluster.Training.Checkpoints;
using GanCluster.Training.Trainer;

namespace GanCluster.Cli.Commands;

/// <summary>
/// Which generator of a checkpoint to sample (`--generator ema|g`) and how its BatchNorm layers normalise
/// (`--norm-statistics running|standing`), shared by `samples` and `evaluate`.
/// </summary>
internal sealed class GeneratorChoice
{
    private readonly Option<string> _network = new("--generator")
    {
        Description = "ema (the EMA generator when the run kept one; the default) or g (the live generator)",
        DefaultValueFactory = _ => "ema",
    };

    private readonly Option<string> _norm = new("--norm-statistics")
    {
        Description = "running (the BatchNorm averages stored in the checkpoint; the default) or standing (recomputed for these weights from "
            + $"{CheckpointGenerator.StandingBatches}×{CheckpointGenerator.StandingBatchSize} latents, as BigGAN does; matters for the EMA generator)",
        DefaultValueFactory = _ => "running",
    };

    public GeneratorChoice(Command command)
    {
        _network.AcceptOnlyFromAmong("ema", "g");
        _norm.AcceptOnlyFromAmong("running", "standing");
        command.Options.Add(_network);
        command.Options.Add(_norm);
    }

    public CheckpointGenerator Open(ParseResult parsed, Checkpoint checkpoint, string file) => new(checkpoint, file,
        preferEma: parsed.GetValue(_network) == "ema",
        norm: parsed.GetValue(_norm) == "standing" ? NormStatistics.Standing : NormStatistics.Running);

    public string NormStatisticsName(ParseResult parsed) => parsed.GetValue(_norm)!;
}
