namespace GanCluster.Hosting.Logging;

/// <summary>The <c>Logging:Format</c> setting: compact JSON for collectors, text for people.</summary>
public enum LogFormat
{
    Json,
    Text,
}
