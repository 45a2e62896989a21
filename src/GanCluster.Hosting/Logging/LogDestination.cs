namespace GanCluster.Hosting.Logging;

/// <summary>Where a host writes its log lines; registered as a service so tests can capture them.</summary>
public sealed class LogDestination(TextWriter writer, bool isTerminal)
{
    /// <summary>Standard output; plain text when a person is watching it, JSON when it is redirected.</summary>
    public static LogDestination Console { get; } = new(System.Console.Out, !System.Console.IsOutputRedirected);

    public TextWriter Writer { get; } = writer;

    /// <summary>True when a person reads it, so the default format is text rather than JSON.</summary>
    public bool IsTerminal { get; } = isTerminal;
}
