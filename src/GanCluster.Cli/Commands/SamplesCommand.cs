using System.CommandLine;
using GanCluster.Training.Checkpoints;
using GanCluster.Training.Samples;
using GanCluster.Training.Trainer;
using Spectre.Console;

namespace GanCluster.Cli.Commands;

/// <summary><c>gancluster samples CKPT --count N --out FILE</c>: generated samples from a checkpoint (EMA generator when there is one).</summary>
internal static class SamplesCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var count = new Option<int>("--count") { Description = "how many samples", DefaultValueFactory = _ => 64 };
        var output = new Option<string>("--out") { Description = ".csv (2D points), .npy, or .png (image grid)", Required = true };
        var onlyClass = new Option<int?>("--class") { Description = "class-conditional checkpoints: draw only this class (default: cycle through the classes)" };
        var command = new Command("samples", "Write generated samples from a checkpoint.") { count, output, onlyClass };
        var checkpointChoice = new CheckpointChoice(command);
        var choice = new GeneratorChoice(command);
        command.SetAction(parsed => UserErrors.Run(console, () =>
        {
            var file = checkpointChoice.Resolve(parsed);
            var n = parsed.GetValue(count);
            if (n < 1)
                return UserErrors.Report(console, "usage", $"--count must be at least 1, found {n}", ExitCodes.UsageError);
            using var generator = choice.Open(parsed, CheckpointFile.Read(file), file);
            var target = parsed.GetValue(output)!;
            try
            {
                using var samples = generator.Generate(n, onlyClass: parsed.GetValue(onlyClass));
                SampleFiles.Write(samples, target);
            }
            catch (ArgumentException e)
            {
                return UserErrors.Report(console, "usage", e.Message, ExitCodes.UsageError);
            }
            console.MarkupLineInterpolated($"wrote {n} samples from the {(generator.UsesEma ? "EMA " : "")}generator to {Path.GetFullPath(target)}");
            return ExitCodes.Success;
        }));
        return command;
    }
}
