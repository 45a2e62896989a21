using System.CommandLine;
using GanCluster.Cli.Commands;
using Spectre.Console;

namespace GanCluster.Cli;

/// <summary>The <c>gancluster</c> command tree; <see cref="Run"/> is the whole program, so tests can call it in-process.</summary>
public static class GanClusterCommandLine
{
    public static int Run(string[] args, IAnsiConsole console)
    {
        var root = new RootCommand("GanCluster: train GANs reproducibly, from one process to a cluster.")
        {
            TrainCommand.Create(console),
            CheckpointCommands.Create(console),
            SamplesCommand.Create(console),
            PlotCommand.Create(console),
            EvaluateCommand.Create(console),
            EvaluatorCommands.Create(console),
            DemoCommand.Create(console),
            ClusterCommands.CreateUp(console),
            ClusterCommands.CreateDown(console),
            RunCommands.Create(console),
            RunCommands.CreateWorkers(console),
            SweepCommands.Create(console),
            KubernetesCommands.Create(console),
        };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
                console.MarkupLineInterpolated($"[red]error[/] (usage): {error.Message}");
            console.MarkupLine("Run [bold]gancluster --help[/] for usage.");
            return ExitCodes.UsageError;
        }
        return parsed.Invoke();
    }
}
