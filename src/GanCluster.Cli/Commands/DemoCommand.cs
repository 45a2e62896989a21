using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using GanCluster.Cli.Cluster;
using GanCluster.Contracts.Control;
using GanCluster.Sweeps;
using Spectre.Console;

namespace GanCluster.Cli.Commands;

/// <summary>
/// <c>gancluster demo</c>: the README's main job. Starts a local cluster (an embedded silo with SQLite state and two
/// workers), submits the toy-mixture runs (and MNIST when its files are found), follows them to the end, and leaves
/// their sample plots and a summary in <c>runs/demo</c>. Needs no download.
/// </summary>
internal static class DemoCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var steps = new Option<int?>("--steps") { Description = "steps per run (default: each example's own)" };
        var output = new Option<string>("--out") { Description = "where the plots and summary go", DefaultValueFactory = _ => Path.Combine("runs", "demo") };
        var mnist = new Option<string?>("--mnist") { Description = "MNIST folder (default: ../shared/data/mnist when present)" };
        var cluster = RunCommands.ClusterOption();
        var command = new Command("demo", "Start a local cluster, train the example runs on it, and leave plots and a summary.") { steps, output, mnist, cluster };
        command.SetAction(parsed => UserErrors.Run(console, () => Run(console, parsed.GetValue(steps), Path.GetFullPath(parsed.GetValue(output)!), parsed.GetValue(mnist), parsed.GetValue(cluster))));
        return command;
    }

    private static int Run(IAnsiConsole console, int? steps, string outDir, string? mnistPath, string? clusterDir)
    {
        var examples = FindExamples();
        var runs = new List<(string Name, string Spec, string[] Overrides)>
        {
            ("ring8", Path.Combine(examples, "ring8.yaml"), ["threads=1"]),
            ("grid25", Path.Combine(examples, "grid25.yaml"), ["threads=1"]),
        };
        var mnist = mnistPath ?? Path.GetFullPath(Path.Combine(examples, "..", "..", "shared", "data", "mnist"));
        if (Directory.Exists(mnist))
            runs.Add(("mnist-mlp", Path.Combine(examples, "mlp-mnist.yaml"), ["threads=1", $"dataset.path={mnist}", "health.eval_every=0", "steps=5000", "sample_every=1000"]));
        else
            console.MarkupLineInterpolated($"(MNIST not found at {mnist}: the demo trains the toy mixtures only; pass --mnist DIR to add it)");

        var cluster = ClusterDirectory.Default(clusterDir);
        var started = false;
        if (cluster.Read() is null)
        {
            console.MarkupLine("starting a local cluster (silo + 2 workers)…");
            if (GanClusterCommandLine.Run(["up", "--workers", "2", "--cluster", cluster.Root], console) != ExitCodes.Success)
                return ExitCodes.ClusterError;
            started = true;
        }
        try
        {
            using var api = ControlPlaneConnection.Open(cluster.Root);
            var ids = new List<(string Name, string Id)>();
            foreach (var (name, spec, overrides) in runs)
            {
                var request = new SubmitRunRequest { SpecYaml = File.ReadAllText(spec), WorldSize = 1 };
                request.Overrides.AddRange(overrides);
                if (steps is { } s)
                    request.Overrides.Add($"steps={s}");
                ids.Add((name, api.Client.SubmitRun(request).Id));
            }
            // A short ASHA sweep too: its trials queue behind the runs on the same two workers.
            var sweepFile = Path.Combine(examples, "sweeps", "demo-asha.yaml");
            var sweepId = api.Client.SubmitSweep(new SubmitSweepRequest { SweepYaml = File.ReadAllText(sweepFile), BaseYaml = SweepDefinition.ReadBaseFile(sweepFile) ?? "" }).Id;
            console.MarkupLineInterpolated($"submitted {string.Join(", ", ids.Select(i => i.Id))} and sweep {sweepId}; following them (Ctrl+C leaves them running; `gancluster run list`, `gancluster sweep show {sweepId}`)");
            var final = Follow(console, api, ids.Select(i => i.Id).ToList());
            var sweep = FollowSweep(console, api, sweepId);
            Directory.CreateDirectory(outDir);
            Plots.SweepPlot.Write(sweep, Path.Combine(outDir, "sweep.png"));
            File.WriteAllText(Path.Combine(outDir, "summary.md"), Summary(ids, final, outDir, cluster.Store) + SweepSummary(sweep));
            console.MarkupLineInterpolated($"[green]done[/]: plots, the sweep's plot and the summary in {outDir}");
            return final.Values.All(r => r.State == RunState.Completed) && sweep.State == SweepState.Completed ? ExitCodes.Success : ExitCodes.RunFailed;
        }
        finally
        {
            if (started)
                GanClusterCommandLine.Run(["down", "--cluster", cluster.Root], console);
        }
    }

    /// <summary>Prints one line per run whenever its step or state changes, until all have ended.</summary>
    private static Dictionary<string, Run> Follow(IAnsiConsole console, ControlPlaneConnection api, List<string> ids)
    {
        var last = new Dictionary<string, Run>();
        while (true)
        {
            foreach (var id in ids)
            {
                var run = api.Client.GetRun(new RunRequest { Id = id });
                if (!last.TryGetValue(id, out var before) || before.Step != run.Step || before.State != run.State)
                    console.MarkupLineInterpolated($"{run.Name,-10} {run.State,-9} step {run.Step,6}/{run.TotalSteps}{Health(run)}");
                last[id] = run;
            }
            if (last.Values.All(r => r.State is RunState.Completed or RunState.Failed or RunState.Cancelled or RunState.Collapsed or RunState.Diverged))
                return last;
            Thread.Sleep(2000);
        }
    }

    /// <summary>Prints the sweep's progress whenever its ended-trial count changes, until it ends.</summary>
    private static Sweep FollowSweep(IAnsiConsole console, ControlPlaneConnection api, string id)
    {
        var printed = -1;
        while (true)
        {
            var sweep = api.Client.GetSweep(new SweepRequest { Id = id });
            var ended = sweep.Trials.Count(t => t.State is RunState.Completed or RunState.Failed or RunState.Cancelled or RunState.Collapsed or RunState.Diverged);
            if (ended != printed)
            {
                var best = sweep.Trials.Where(t => t.HasBest).MaxBy(t => t.Best);
                console.MarkupLineInterpolated($"{sweep.Name,-10} {sweep.State,-9} {ended}/{sweep.Trials.Count} trial(s) ended, {sweep.Trials.Count(t => t.Stopped.Length > 0)} stopped by ASHA{(best is null ? "" : string.Create(CultureInfo.InvariantCulture, $", best HQ {100 * best.Best:0.0}% (trial {best.Number})"))}");
                printed = ended;
            }
            if (sweep.State != SweepState.Running)
                return sweep;
            Thread.Sleep(2000);
        }
    }

    /// <summary>The sweep's section of the summary: its configurations ranked, and the plot.</summary>
    private static string SweepSummary(Sweep sweep)
    {
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"\n## Sweep {sweep.Id} ({sweep.Algorithm}, {(sweep.Maximise ? "max" : "min")} {sweep.Metric}): {sweep.State}\n\n");
        var paths = sweep.Trials.SelectMany(t => t.Values.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        text.Append(CultureInfo.InvariantCulture, $"| rank | {string.Join(" | ", paths)} | score | trial | stopped |\n|---|{string.Concat(paths.Select(_ => "---|"))}---|---|---|\n");
        var rank = 0;
        foreach (var c in sweep.Configurations)
        {
            var trial = sweep.Trials.First(t => t.Configuration == c.Configuration);
            text.Append(CultureInfo.InvariantCulture, $"| {++rank} | {string.Join(" | ", paths.Select(p => c.Values.GetValueOrDefault(p, "")))} | {(c.Scored > 0 ? c.Mean.ToString("G4", CultureInfo.InvariantCulture) : "-")} | {trial.Number} | {trial.Stopped} |\n");
        }
        return text.Append("\n![sweep](sweep.png)\n").ToString();
    }

    private static string Health(Run run)
    {
        if (run.Health is not { } health)
            return "";
        var parts = new List<string>();
        if (health.Mixture is { } mixture)
        {
            parts.Add($"modes {mixture.ModesCovered}");
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"HQ {100 * mixture.HighQualityFraction:0.0}%"));
        }
        parts.Add(RunCommands.Verdict(health));
        return "  " + string.Join("  ", parts);
    }

    /// <summary>A markdown table of the runs with their final health, and each run's newest sample plot copied next to it.</summary>
    private static string Summary(List<(string Name, string Id)> ids, Dictionary<string, Run> final, string outDir, string store)
    {
        var text = new StringBuilder("# GanCluster demo\n\n| run | id | state | steps | final health | samples |\n|---|---|---|---|---|---|\n");
        foreach (var (name, id) in ids)
        {
            var run = final[id];
            var plot = RunFiles.NewestSamples(run, store) is { } png ? CopyTo(png, Path.Combine(outDir, $"{name}.png")) : null;
            text.Append(CultureInfo.InvariantCulture, $"| {name} | {id} | {run.State} | {run.Step}/{run.TotalSteps} | {Health(run).Trim()} | {(plot is null ? "-" : $"[{name}.png]({name}.png)")} |\n");
        }
        return text.ToString();
    }

    private static string CopyTo(string from, string to)
    {
        File.Copy(from, to, overwrite: true);
        return to;
    }

    private static string FindExamples()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "examples", "ring8.yaml")))
                return Path.Combine(d.FullName, "examples");
        if (File.Exists(Path.Combine("examples", "ring8.yaml")))
            return Path.GetFullPath("examples");
        throw new UsageException("the examples/ folder was not found: run the demo from a GanCluster checkout");
    }
}
