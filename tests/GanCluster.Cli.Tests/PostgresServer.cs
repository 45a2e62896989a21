using System.Diagnostics;

namespace GanCluster.Cli.Tests;

/// <summary>
/// A real PostgreSQL server for one test: a fresh data directory (initdb) started with pg_ctl on a free loopback
/// port, with a database <c>gancluster</c>, stopped and deleted on dispose. The server binaries come from Debian's
/// postgresql package, which <c>scripts/test.sh</c> installs; without them the test fails and says so.
/// </summary>
internal sealed class PostgresServer : IDisposable
{
    private readonly string _root;
    private readonly string _bin;

    private PostgresServer(string root, string bin, int port)
    {
        _root = root;
        _bin = bin;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Database=gancluster;Username=gancluster;Timeout=10";

    public string DataDirectory => Path.Combine(_root, "data");

    public static PostgresServer Start()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
        if (bin is null)
            throw new InvalidOperationException("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: run the tests through scripts/test.sh, which installs Debian's postgresql package");
        var root = Path.Combine(Path.GetTempPath(), "gancluster-pg", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var port = GanCluster.Collective.FreePorts.Take(1)[0];
        var server = new PostgresServer(root, bin, port);
        // PostgreSQL refuses to run as root: as root, the server runs as the postgres user and owns the directory.
        if (Environment.UserName == "root")
            server.Run("chown", ["-R", "postgres:postgres", root], asServer: false);
        server.Run(Path.Combine(bin, "initdb"), ["-D", server.DataDirectory, "-A", "trust", "-U", "gancluster", "-E", "UTF8", "--no-sync"]);
        server.Run(Path.Combine(bin, "pg_ctl"), ["-D", server.DataDirectory, "-l", Path.Combine(root, "server.log"), "-w", "-t", "60",
            "-o", $"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", "start"]);
        server.Run(Path.Combine(bin, "createdb"), ["-h", "127.0.0.1", "-p", $"{port}", "-U", "gancluster", "gancluster"]);
        return server;
    }

    /// <summary>Writes the connection string to a file, as an operator would hand it to `gancluster up --postgres-file`.</summary>
    public string WriteConnectionFile(string directory)
    {
        var path = Path.Combine(directory, "postgres.conn");
        File.WriteAllText(path, ConnectionString);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Run(Path.Combine(_bin, "pg_ctl"), ["-D", DataDirectory, "-m", "immediate", "-w", "stop"]);
        }
        finally
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private void Run(string program, string[] args, bool asServer = true)
    {
        var asPostgres = asServer && Environment.UserName == "root";
        var start = new ProcessStartInfo(asPostgres ? "runuser" : program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (asPostgres)
            foreach (var a in new[] { "-u", "postgres", "--", program })
                start.ArgumentList.Add(a);
        foreach (var a in args)
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(90)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(program)} did not finish in 90 s");
        }
        if (process.ExitCode != 0)
        {
            var log = Path.Combine(_root, "server.log");
            throw new InvalidOperationException($"{Path.GetFileName(program)} {string.Join(' ', args)} exited {process.ExitCode}: {stdout.Result}{stderr.Result}"
                + (File.Exists(log) ? $"\nserver log:\n{File.ReadAllText(log)}" : ""));
        }
    }
}
