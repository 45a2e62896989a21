using System.CommandLine;

namespace GanCluster.Cli.Commands;

/// <summary>The shared <c>--output table|json</c> option.</summary>
internal static class OutputFormat
{
    /// <summary>API messages as <c>--output json</c> prints them: proto field names in camelCase, defaults included.</summary>
    public static readonly Google.Protobuf.JsonFormatter Json = new(Google.Protobuf.JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    public static Option<string> Create()
    {
        var option = new Option<string>("--output", "-o") { Description = "table (default) or json", DefaultValueFactory = _ => "table" };
        option.AcceptOnlyFromAmong("table", "json");
        return option;
    }
}
