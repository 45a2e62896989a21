using GanCluster.Hosting.Settings;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Serilog;
using Serilog.Events;
using Serilog.Extensions.Hosting;
using Serilog.Formatting;
using Serilog.Formatting.Compact;
using Serilog.Formatting.Display;

namespace GanCluster.Hosting.Logging;

/// <summary>Serilog for a host: compact JSON (or text for a terminal), context properties, secrets masked.</summary>
internal static class HostLogging
{
    public const string FormatKey = "Logging:Format";
    private const string TextTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj} {Properties:j}{NewLine}{Exception}";

    /// <summary>Logs what happens before the host's own logger exists (its configuration failing, say) to stdout.</summary>
    public static ReloadableLogger CreateBootstrapLogger() => Defaults(new LoggerConfiguration())
        .WriteTo.Sink(new DestinationSink(LogDestination.Console.Writer, Formatter(LogDestination.Console.IsTerminal ? LogFormat.Text : LogFormat.Json)))
        .CreateBootstrapLogger();

    public static void AddHostLogging(this WebApplicationBuilder builder, HostIdentity identity)
    {
        var format = ReadFormat(builder.Configuration);
        builder.Services.TryAddSingleton(LogDestination.Console);
        builder.Services.AddSerilog((services, logger) =>
        {
            var destination = services.GetRequiredService<LogDestination>();
            Defaults(logger)
                .ReadFrom.Configuration(services.GetRequiredService<IConfiguration>())
                .ReadFrom.Services(services)
                .Enrich.WithProperty(identity.Role, identity.Name)
                // Last, so it also sees the properties added by the enrichers above.
                .Enrich.With(new SecretMask())
                .WriteTo.Sink(new DestinationSink(destination.Writer, Formatter(format ?? (destination.IsTerminal ? LogFormat.Text : LogFormat.Json))));
        });
    }

    private static LoggerConfiguration Defaults(LoggerConfiguration logger) => logger
        .MinimumLevel.Information()
        .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
        .MinimumLevel.Override("Orleans", LogEventLevel.Warning)
        .Enrich.FromLogContext();

    private static ITextFormatter Formatter(LogFormat format) => format == LogFormat.Json
        ? new CompactJsonFormatter()
        : new MessageTemplateTextFormatter(TextTemplate);

    private static LogFormat? ReadFormat(IConfiguration configuration) => configuration[FormatKey] switch
    {
        null or "" => null,
        var text when Enum.TryParse<LogFormat>(text, ignoreCase: true, out var format) && !char.IsDigit(text[0]) => format,
        var text => throw new SettingsException(SettingsProblem.Line(configuration, FormatKey, "must be json or text", $"'{text}'")),
    };
}
