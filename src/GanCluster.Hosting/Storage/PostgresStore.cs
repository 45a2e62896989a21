namespace GanCluster.Hosting.Storage;

/// <summary>
/// The production store that silos and workers share: a PostgreSQL database reached through the Orleans ADO.NET
/// providers (clustering for silos and clients; grain state and reminders for silos). The connection string lives
/// in a file so that its password is on no command line and in no log; <see cref="Describe"/> is what gets printed.
/// </summary>
public sealed record PostgresStore(string ConnectionString, string SourceFile, string ClusterId)
{
    /// <summary>The ADO.NET invariant name the Orleans providers load Npgsql by.</summary>
    public const string Invariant = "Npgsql";

    public const string DefaultClusterId = "gancluster";

    /// <summary>What is wrong with the file at <paramref name="path"/> as a connection-string file, or null when it is usable.</summary>
    public static string? Problem(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
            return $"{full}: no such file (it should hold an Npgsql connection string such as 'Host=db;Port=5432;Database=gancluster;Username=gancluster;Password=...')";
        var text = File.ReadAllText(full).Trim();
        if (text.Length == 0 || !Settings(text).ContainsKey("host"))
            return $"{full} should hold an Npgsql connection string with at least Host=..., found {(text.Length == 0 ? "an empty file" : "no Host")}";
        return null;
    }

    /// <summary>The store of a checked file (see <see cref="Problem"/>).</summary>
    public static PostgresStore FromFile(string path, string clusterId = DefaultClusterId)
    {
        if (Problem(path) is { } problem)
            throw new InvalidOperationException(problem);
        var full = Path.GetFullPath(path);
        return new PostgresStore(File.ReadAllText(full).Trim(), full, clusterId);
    }

    /// <summary>host:port/database, without credentials.</summary>
    public string Describe()
    {
        var settings = Settings(ConnectionString);
        return $"postgres {settings.GetValueOrDefault("host")}:{settings.GetValueOrDefault("port", "5432")}/{settings.GetValueOrDefault("database", "(default)")} (cluster '{ClusterId}')";
    }

    private static Dictionary<string, string> Settings(string connectionString) => connectionString
        .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(pair => pair.Split('=', 2))
        .Where(kv => kv.Length == 2)
        .GroupBy(kv => kv[0].Trim().ToLowerInvariant())
        .ToDictionary(g => g.Key, g => g.Last()[1].Trim());
}
