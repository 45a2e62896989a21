using GanCluster.Cli;
using Spectre.Console;

var console = AnsiConsole.Console;
// Redirected output (logs, CI, scripts) should keep each message on one line.
if (Console.IsOutputRedirected)
    console.Profile.Width = 240;
return GanClusterCommandLine.Run(args, console);
