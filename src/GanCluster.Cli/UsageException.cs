namespace GanCluster.Cli;

/// <summary>A command-line setting that cannot be honoured (a busy port, say): one line, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
