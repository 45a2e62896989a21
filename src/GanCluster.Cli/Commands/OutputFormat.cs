using System.CommandLine;

namespace GanCluster.Cli.Commands;

/// <summary>The shared <c>--output table|json</c> option.</summary>
internal static class OutputFormat
{
    public static Option<string> Create()
    {
        var option = new Option<string>("--output", "-o") { Description = "table (default) or json", DefaultValueFactory = _ => "table" };
        option.AcceptOnlyFromAmong("table", "json");
        return option;
    }
}
