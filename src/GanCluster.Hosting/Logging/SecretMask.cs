using System.Text.RegularExpressions;
using Serilog.Core;
using Serilog.Events;

namespace GanCluster.Hosting.Logging;

/// <summary>Masks <c>Password=...</c>-shaped parts of logged values, for connection strings that reach a log without <c>[Secret]</c>.</summary>
internal sealed partial class SecretMask : ILogEventEnricher
{
    public static string Mask(string text) => SecretPart().Replace(text, "$1=***");

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        foreach (var (name, value) in logEvent.Properties.ToList())
        {
            var masked = Mask(value);
            if (!ReferenceEquals(masked, value))
                logEvent.AddOrUpdateProperty(new LogEventProperty(name, masked));
        }
    }

    private static LogEventPropertyValue Mask(LogEventPropertyValue value)
    {
        switch (value)
        {
            case ScalarValue { Value: string text } when SecretPart().IsMatch(text):
                return new ScalarValue(Mask(text));
            case SequenceValue sequence:
                var elements = sequence.Elements.Select(Mask).ToList();
                return elements.SequenceEqual(sequence.Elements) ? value : new SequenceValue(elements);
            case StructureValue structure:
                var properties = structure.Properties.Select(p => new LogEventProperty(p.Name, Mask(p.Value))).ToList();
                return properties.Select(p => p.Value).SequenceEqual(structure.Properties.Select(p => p.Value)) ? value : new StructureValue(properties, structure.TypeTag);
            case DictionaryValue dictionary:
                var entries = dictionary.Elements.Select(e => KeyValuePair.Create(e.Key, Mask(e.Value))).ToList();
                return entries.Select(e => e.Value).SequenceEqual(dictionary.Elements.Select(e => e.Value)) ? value : new DictionaryValue(entries);
            default:
                return value;
        }
    }

    [GeneratedRegex(@"(?i)\b(password|pwd|secret|token|api[-_]?key)\s*=\s*[^;]*")]
    private static partial Regex SecretPart();
}
