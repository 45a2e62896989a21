using GanCluster.Distributed.Launch;
using GanCluster.Specs;
using Spectre.Console;

namespace GanCluster.Cli.Commands;

/// <summary><c>train --world-size N</c>: starts N worker processes of this program in a loopback ring and reports how they ended.</summary>
internal static class DataParallelLauncher
{
    public static int Launch(IAnsiConsole console, TrainRequest request, int worldSize, string host, int? basePort)
    {
        // Validate here, before starting anything: a bad spec is one error, not N.
        var (spec, _) = RunSpecLoader.LoadFile(request.SpecPath, request.Overrides, worldSize);
        var outDir = Path.GetFullPath(request.OutDir ?? Path.Combine("runs", spec.Name));
        // Several local ranks must not oversubscribe the cores: split them unless told otherwise.
        var threads = request.Threads ?? (spec.Threads > 0 ? spec.Threads : Math.Max(1, Environment.ProcessorCount / worldSize));
        var (executable, prefix) = LocalLauncher.ThisProgram();
        var plan = new LaunchPlan
        {
            WorldSize = worldSize,
            Executable = executable,
            Arguments = [.. prefix, .. request.WorkerArguments(outDir, threads)],
            RunDirectory = outDir,
            Host = host,
            BasePort = basePort,
        };
        console.MarkupLineInterpolated($"starting {worldSize} ranks ({threads} thread(s) each) on {host}; rank logs in {outDir}/rank-N.log");
        using var cancellation = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        using var onTerminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            cancellation.Cancel();
        });
        try
        {
            var result = LocalLauncher.RunAsync(plan, line => console.Profile.Out.Writer.WriteLine(line), cancellation.Token).GetAwaiter().GetResult();
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
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
