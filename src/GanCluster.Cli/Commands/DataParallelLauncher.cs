using GanCluster.Cli.Cluster;
using GanCluster.Rank.Launch;
using GanCluster.Specs;
using Spectre.Console;

namespace GanCluster.Cli.Commands;

/// <summary><c>train --world-size N</c>: starts N Worker processes in static-ring mode on a loopback ring and reports how they ended.</summary>
internal static class DataParallelLauncher
{
    public static int Launch(IAnsiConsole console, TrainRequest request, int worldSize, string host, int? basePort)
    {
        // Validate here, before starting anything: a bad spec is one error, not N. The ranks read the effective spec.
        var (spec, effective) = RunSpecLoader.LoadFile(request.SpecPath, request.Overrides, worldSize);
        // Several local ranks must not oversubscribe the cores: split them unless told otherwise.
        var perRank = request.Threads ?? (spec.Threads > 0 ? spec.Threads : Math.Max(1, Environment.ProcessorCount / worldSize));
        var (_, yaml) = RunSpecLoader.LoadText(effective, request.SpecPath, [$"threads={perRank}"], worldSize);
        var outDir = request.PrepareRunDirectory(spec);
        Directory.CreateDirectory(outDir);
        var launchSpec = Path.Combine(outDir, "launch.yaml");
        File.WriteAllText(launchSpec, yaml);
        var (_, workerDll) = ClusterBinaries.Locate();
        var plan = new LaunchPlan
        {
            WorldSize = worldSize,
            Executable = DotnetHost.Path,
            Arguments = [workerDll, .. StaticRingArguments(launchSpec, outDir, request)],
            RunDirectory = outDir,
            Host = host,
            BasePort = basePort,
            MetricsBasePort = request.Metrics?.Port,
        };
        console.MarkupLineInterpolated($"starting {worldSize} ranks ({perRank} thread(s) each) on {host}; rank logs in {outDir}/rank-N.log");
        using var signals = new RankSignals();
        var result = LocalLauncher.RunAsync(plan, line => console.Profile.Out.Writer.WriteLine(line), signals.Token).GetAwaiter().GetResult();
        if (result.Succeeded)
        {
            if (!result.ParametersAgree)
                return UserErrors.Report(console, "ranks disagree", $"the ranks finished with different parameters: {string.Join(", ", result.Digests)}", ExitCodes.InternalError);
            console.MarkupLineInterpolated($"all {worldSize} ranks finished with identical parameters (sha256 {result.Digests[0]![..16]}…)");
            return ExitCodes.Success;
        }
        if (result.ExitCodes.All(c => c == ExitCodes.Cancelled))
            return ExitCodes.Cancelled;
        var code = result.ExitCodes.FirstOrDefault(c => c is not 0 and not ExitCodes.PeerLost, ExitCodes.PeerLost);
        return UserErrors.Report(console, "data-parallel run failed", result.Failure ?? "a rank failed", code);
    }

    /// <summary>The worker program's static-ring mode; its place in the ring comes from the launcher's environment.</summary>
    private static List<string> StaticRingArguments(string specFile, string outDir, TrainRequest request)
    {
        // The rank's own lines (progress, checkpoints, the parameter digest) are what the user reads; host logs only for trouble.
        var args = new List<string> { "--mode", "StaticRing", "--spec", specFile, "--out", outDir, "--Logging:Format", "text", "--Serilog:MinimumLevel:Default", "Warning" };
        if (request.ResumePath is { } resume)
            args.AddRange(["--resume", Path.GetFullPath(resume)]);
        if (request.Metrics is { } m)
            args.AddRange(["--metrics-host", m.Host]);
        return args;
    }
}
