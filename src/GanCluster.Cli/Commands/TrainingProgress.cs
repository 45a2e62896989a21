using GanCluster.Training.Health;
using GanCluster.Training.Runtime;
using Spectre.Console;

namespace GanCluster.Cli.Commands;

/// <summary>Shows a training loop: a live progress bar on a terminal, one line per report otherwise (logs, CI).</summary>
internal sealed class TrainingProgress(IAnsiConsole console, ProgressTask? task) : ITrainingObserver
{
    private long _total;
    private long _from;
    private DateTimeOffset _started = DateTimeOffset.UtcNow;

    public static T Run<T>(IAnsiConsole console, long totalSteps, Func<ITrainingObserver, T> loop)
    {
        if (!console.Profile.Capabilities.Interactive)
            return loop(new TrainingProgress(console, null));
        return console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context => loop(new TrainingProgress(console, context.AddTask("starting", maxValue: totalSteps))));
    }

    public void OnStarted(long fromStep, long totalSteps)
    {
        (_from, _total, _started) = (fromStep, totalSteps, DateTimeOffset.UtcNow);
        if (task is not null)
            task.Value = fromStep;
        else if (fromStep > 0)
            console.WriteLine($"resuming at step {fromStep}");
    }

    public void OnReport(HealthRecord record, long totalSteps)
    {
        var report = record.Report;
        var line = ReportLine.Format(record, totalSteps);
        if (task is not null)
        {
            task.Description = Markup.Escape(line);
            task.Value = report.Step;
            return;
        }
        var elapsed = (DateTimeOffset.UtcNow - _started).TotalSeconds;
        var done = report.Step - _from;
        var eta = done > 0 ? TimeSpan.FromSeconds(elapsed / done * (_total - report.Step)) : TimeSpan.Zero;
        console.WriteLine($"{line}  ETA {eta:hh\\:mm\\:ss}");
    }

    public void OnCheckpoint(CheckpointWritten checkpoint)
    {
        if (task is null)
            console.WriteLine($"checkpoint {checkpoint.Path} (sha256 {checkpoint.Sha256[..12]}…)");
    }

    public void OnSamples(long step, string path)
    {
        if (task is null)
            console.WriteLine($"samples {path}");
    }
}
