using System.CommandLine;
using GanCluster.Specs;
using GanCluster.Training.Runtime;

namespace GanCluster.Cli.Commands;

/// <summary>What one training process is asked to do; the launcher hands the same request to every rank.</summary>
/// <param name="Force">Start over in a run directory that holds a run, deleting that run's files.</param>
internal sealed record TrainRequest(string SpecPath, IReadOnlyList<string> Overrides, string? OutDir, string? ResumePath, (string Host, int Port)? Metrics, int? Threads, bool Force = false)
{
    /// <summary>
    /// The run's directory, ready to train into. One that already holds a run is refused, since two runs would mix
    /// their metrics and checkpoints, unless the run is resumed (it continues there) or forced (the old run's files go).
    /// </summary>
    public string PrepareRunDirectory(RunSpec spec)
    {
        var directory = new RunDirectory(OutDir ?? Path.Combine("runs", spec.Name));
        if (ResumePath is null && directory.HoldsRun)
        {
            if (!Force)
                throw new UsageException($"{directory.Root} already holds a run: continue it with --resume CKPT, start over with --force (deletes its files), or pick another --out");
            directory.StartOver();
        }
        return directory.Root;
    }
}

/// <summary>The options of <c>train</c>, alone or data-parallel.</summary>
internal sealed class TrainOptions
{
    private readonly Argument<string> _spec = new("spec") { Description = "YAML run spec (see examples/)" };
    private readonly Option<string?> _output = new("--out") { Description = "run directory (default: runs/<name>)" };
    private readonly Option<int?> _steps = new("--steps") { Description = "total steps to reach (overrides the spec)" };
    private readonly Option<string?> _resume = new("--resume") { Description = "checkpoint to continue from (also into a --out that holds its run)" };
    private readonly Option<bool> _force = new("--force") { Description = "start over in a --out that holds a run: its metrics, checkpoints, sample grids and rank logs are deleted first" };
    private readonly Option<string?> _device = new("--device") { Description = "cpu, cuda or cuda:N (overrides the spec)" };
    private readonly Option<int?> _threads = new("--threads") { Description = "torch threads per process (overrides the spec; 0 = all cores)" };
    private readonly Option<int?> _metricsPort = new("--metrics-port") { Description = "serve Prometheus metrics on this port (/metrics); off by default" };
    private readonly Option<string> _metricsHost = new("--metrics-host") { Description = "address for --metrics-port", DefaultValueFactory = _ => "127.0.0.1" };
    private readonly Option<string[]> _set = new("--set") { Description = "override a spec field, e.g. --set dataset.path=/data/mnist", AllowMultipleArgumentsPerToken = false };

    public void AddTo(Command command)
    {
        command.Arguments.Add(_spec);
        foreach (var option in new Option[] { _output, _steps, _resume, _force, _device, _threads, _metricsPort, _metricsHost, _set })
            command.Options.Add(option);
    }

    public TrainRequest Read(ParseResult parsed)
    {
        var overrides = (parsed.GetValue(_set) ?? []).ToList();
        if (parsed.GetValue(_steps) is { } s)
            overrides.Add($"steps={s}");
        if (parsed.GetValue(_device) is { } d)
            overrides.Add($"device={d}");
        var threads = parsed.GetValue(_threads);
        if (threads is { } t)
            overrides.Add($"threads={t}");
        var metrics = parsed.GetValue(_metricsPort) is { } port ? (parsed.GetValue(_metricsHost)!, port) : ((string, int)?)null;
        var (resume, force) = (parsed.GetValue(_resume), parsed.GetValue(_force));
        if (resume is not null && force)
            throw new UsageException("--resume continues a run and --force starts one over: give one of them");
        return new TrainRequest(parsed.GetValue(_spec)!, overrides, parsed.GetValue(_output), resume, metrics, threads, force);
    }
}
