using GanCluster.Cli;
using Spectre.Console;

return GanClusterCommandLine.Run(args, AnsiConsole.Console);
