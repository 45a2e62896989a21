using System.Diagnostics;
using System.Security.Cryptography;
using GanCluster.Collective;

namespace GanCluster.Rank.Launch;

/// <summary>What to start: N copies of a worker command on one machine, joined in a static loopback ring.</summary>
public sealed record LaunchPlan
{
    public required int WorldSize { get; init; }

    /// <summary>The program and the arguments of every worker (the worker verb and its options).</summary>
    public required string Executable { get; init; }
    public required IReadOnlyList<string> Arguments { get; init; }

    /// <summary>Where rank logs go (rank-R.log); rank 0 writes the run's files there too.</summary>
    public required string RunDirectory { get; init; }

    public string Host { get; init; } = "127.0.0.1";

    /// <summary>First port of the ring (rank r listens on BasePort + r); null picks free ports.</summary>
    public int? BasePort { get; init; }

    /// <summary>
    /// First metrics port (rank r serves /metrics and /health on MetricsBasePort + r, given to it as
    /// <c>--metrics-port</c>); null picks free ports, taken together with the ring's so that no two collide.
    /// </summary>
    public int? MetricsBasePort { get; init; }
    /// <summary>Connections per link (<see cref="RingOptions.Channels"/>); null lets each link choose.</summary>
    public int? Channels { get; init; }

    /// <summary>How each rank reaches its left neighbour (<see cref="RingOptions.Transport"/>).</summary>
    public RingTransport Transport { get; init; } = RingTransport.Tcp;
    public int ChunkBytes { get; init; } = 1 << 20;
    public TimeSpan PeerTimeout { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>How the ranks ended: exit codes, the parameter digest each printed, and the first failure.</summary>
public sealed record LaunchResult(IReadOnlyList<int> ExitCodes, IReadOnlyList<string?> Digests, string? Failure)
{
    public bool Succeeded => ExitCodes.All(c => c == 0);
    public bool ParametersAgree => Digests.All(d => d is not null) && Digests.Distinct().Count() == 1;
}

/// <summary>
/// The static launcher (torchrun's job): starts one worker process per rank with its place in the ring in its
/// environment, streams rank 0's output, keeps every rank's output in its log, and makes sure that when one rank
/// fails the others stop too.
/// </summary>
public static partial class LocalLauncher
{
    public const string DigestPrefix = "parameters-sha256: ";

    /// <summary>Ranks must stop by themselves within this long after the first one fails; stragglers are killed.</summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(15);

    /// <summary>How to start this same program again: its apphost, or <c>dotnet ENTRY.dll</c> when run through the host.</summary>
    public static (string Executable, string[] Prefix) ThisProgram()
    {
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("cannot locate this program");
        if (Path.GetFileNameWithoutExtension(process) == "dotnet")
            return (process, [System.Reflection.Assembly.GetEntryAssembly()?.Location ?? throw new InvalidOperationException("no entry assembly")]);
        return (process, []);
    }

    public static async Task<LaunchResult> RunAsync(LaunchPlan plan, Action<string> rankZeroLine, CancellationToken cancellation)
    {
        Directory.CreateDirectory(plan.RunDirectory);
        var free = new Queue<int>(FreePorts.Take((plan.BasePort is null ? plan.WorldSize : 0) + (plan.MetricsBasePort is null ? plan.WorldSize : 0)));
        int[] Ports(int? basePort) => basePort is { } first ? Enumerable.Range(first, plan.WorldSize).ToArray() : Enumerable.Range(0, plan.WorldSize).Select(_ => free.Dequeue()).ToArray();
        var ports = Ports(plan.BasePort);
        var metricsPorts = Ports(plan.MetricsBasePort);
        var endpoints = ports.Select(p => $"{plan.Host}:{p}").ToArray();
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var runId = $"{Path.GetFileName(Path.GetFullPath(plan.RunDirectory))}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        var ranks = new List<RankProcess>();
        try
        {
            for (var rank = 0; rank < plan.WorldSize; rank++)
            {
                var options = new RingOptions
                {
                    RunId = runId, Rank = rank, Endpoints = endpoints, Secret = secret,
                    Channels = plan.Channels, ChunkBytes = plan.ChunkBytes, PeerTimeout = plan.PeerTimeout, Transport = plan.Transport,
                };
                ranks.Add(RankProcess.Start(plan, options, metricsPorts[rank], rank == 0 ? rankZeroLine : null));
            }
            // Who is who, for operators (and tests that kill a rank); never the secret.
            File.WriteAllText(Path.Combine(plan.RunDirectory, "ranks.json"), System.Text.Json.JsonSerializer.Serialize(
                ranks.Select(r => new { rank = r.Rank, pid = r.Pid, endpoint = endpoints[r.Rank], metrics = $"{plan.Host}:{metricsPorts[r.Rank]}", log = $"rank-{r.Rank}.log" })));
            using var stopping = cancellation.Register(() => ranks.ForEach(r => r.Terminate()));
            string? failure = null;
            var pending = ranks.Select(r => r.Exited).ToList();
            while (pending.Count > 0)
            {
                var done = await Task.WhenAny(pending);
                pending.Remove(done);
                var rank = ranks.First(r => r.Exited == done);
                if (rank.ExitCode != 0 && failure is null)
                {
                    failure = $"rank {rank.Rank} exited with code {rank.ExitCode}: {rank.LastError() ?? "(no error line in its log)"}";
                    // The ring tells the others; give them the grace period, then kill what is left.
                    var grace = Task.Delay(StopGrace, CancellationToken.None);
                    if (await Task.WhenAny(Task.WhenAll(pending), grace) == grace)
                        foreach (var straggler in ranks.Where(r => !r.Exited.IsCompleted))
                        {
                            failure += $"; rank {straggler.Rank} did not stop within {StopGrace.TotalSeconds:0} s and was killed";
                            straggler.Kill();
                        }
                }
            }
            await Task.WhenAll(ranks.Select(r => r.Exited));
            return new LaunchResult(ranks.Select(r => r.ExitCode).ToList(), ranks.Select(r => r.Digest()).ToList(), failure);
        }
        finally
        {
            foreach (var rank in ranks)
            {
                rank.Kill();
                rank.Dispose();
            }
        }
    }

    /// <summary>One worker process and its log.</summary>
    private sealed partial class RankProcess : IDisposable
    {
        private readonly Process _process;
        private readonly StreamWriter _log;
        private readonly object _gate = new();
        private readonly List<string> _tail = [];
        private readonly Task _pumps;

        private RankProcess(int rank, Process process, StreamWriter log, Action<string>? echo)
        {
            (Rank, _process, _log) = (rank, process, log);
            _pumps = Task.WhenAll(Pump(process.StandardOutput, echo), Pump(process.StandardError, echo));
            Exited = WaitAsync();
        }

        public int Rank { get; }
        public int Pid => _process.Id;
        public Task Exited { get; }
        public int ExitCode => _process.HasExited ? _process.ExitCode : -1;

        public static RankProcess Start(LaunchPlan plan, RingOptions options, int metricsPort, Action<string>? echo)
        {
            var info = new ProcessStartInfo(plan.Executable)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in plan.Arguments)
                info.ArgumentList.Add(argument);
            info.ArgumentList.Add("--metrics-port");
            info.ArgumentList.Add(metricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
            foreach (var (name, value) in WorkerEnvironment.For(options))
                info.Environment[name] = value;
            var log = new StreamWriter(Path.Combine(plan.RunDirectory, $"rank-{options.Rank}.log"), append: false) { AutoFlush = true };
            var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {plan.Executable}");
            return new RankProcess(options.Rank, process, log, echo);
        }

        private async Task Pump(StreamReader reader, Action<string>? echo)
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                lock (_gate)
                {
                    _log.WriteLine(line);
                    _tail.Add(line);
                    if (_tail.Count > 200)
                        _tail.RemoveAt(0);
                }
                echo?.Invoke(line);
            }
        }

        private async Task WaitAsync()
        {
            await _process.WaitForExitAsync();
            await _pumps;
        }

        public string? LastError()
        {
            lock (_gate)
                return _tail.LastOrDefault(l => l.StartsWith("error", StringComparison.Ordinal) || l.Contains("error (", StringComparison.Ordinal));
        }

        public string? Digest()
        {
            lock (_gate)
                return _tail.LastOrDefault(l => l.StartsWith(DigestPrefix, StringComparison.Ordinal))?[DigestPrefix.Length..].Split(' ')[0];
        }

        /// <summary>SIGTERM: the ranks vote to stop after the same step and rank 0 checkpoints it.</summary>
        public void Terminate()
        {
            if (!_process.HasExited)
                Signal(_process.Id, 15);
        }

        public void Kill()
        {
            try
            {
                if (!_process.HasExited)
                    _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
        }

        [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill")]
        private static partial int Signal(int pid, int signal);

        public void Dispose()
        {
            _process.Dispose();
            lock (_gate)
                _log.Dispose();
        }
    }
}
