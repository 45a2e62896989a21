using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Parsing;

namespace GanCluster.Hosting.Logging;

/// <summary>Writes formatted events to a <see cref="LogDestination"/>, masking secrets written into a message template's own text.</summary>
internal sealed class DestinationSink(TextWriter writer, ITextFormatter formatter) : ILogEventSink
{
    private static readonly MessageTemplateParser s_parser = new();
    private readonly Lock _lock = new();

    public void Emit(LogEvent logEvent)
    {
        var template = SecretMask.Mask(logEvent.MessageTemplate.Text);
        if (!string.Equals(template, logEvent.MessageTemplate.Text, StringComparison.Ordinal))
            logEvent = new LogEvent(logEvent.Timestamp, logEvent.Level, logEvent.Exception, s_parser.Parse(template),
                logEvent.Properties.Select(p => new LogEventProperty(p.Key, p.Value)));
        lock (_lock)
        {
            formatter.Format(logEvent, writer);
            writer.Flush();
        }
    }
}
