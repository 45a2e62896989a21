using GanCluster.Hosting.Logging;
using GanCluster.Hosting.Settings;
using Microsoft.Extensions.Options;
using Serilog;

namespace GanCluster.Hosting;

/// <summary>Runs a host's whole life and maps how it ended to an exit code; a bad setting is one line, never a stack trace.</summary>
public static class HostExit
{
    public const int Stopped = 0;
    public const int Crashed = 1;
    public const int BadSettings = 2;

    /// <summary>
    /// Installs the bootstrap logger, runs <paramref name="host"/> (build, start, run) and returns the exit code.
    /// Settings errors are written to <paramref name="errors"/> (stderr by default) as <c>error (settings): ...</c>.
    /// </summary>
    public static async Task<int> RunAsync(Func<Task> host, TextWriter? errors = null)
    {
        errors ??= Console.Error;
        Log.Logger = HostLogging.CreateBootstrapLogger();
        try
        {
            await host();
            return Stopped;
        }
        catch (Exception e) when (SettingsLines(e) is { Count: > 0 } lines)
        {
            foreach (var line in lines)
                await errors.WriteLineAsync($"error (settings): {line}");
            await errors.FlushAsync();
            return BadSettings;
        }
        catch (Exception e)
        {
            // The host's logger may already be disposed with the host, and stdout may be JSON nobody reads: say it on stderr too.
            Log.Fatal(e, "Host terminated unexpectedly");
            await errors.WriteLineAsync($"error: host terminated unexpectedly: {e.GetType().Name}: {e.Message}");
            await errors.FlushAsync();
            return Crashed;
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }

    private static List<string> SettingsLines(Exception exception) => exception switch
    {
        SettingsException settings => [settings.Message],
        OptionsValidationException validation => [.. validation.Failures],
        // A binder error from options we did not register (a library's own BindConfiguration).
        InvalidOperationException binder when binder.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal) => [binder.Message],
        AggregateException aggregate when aggregate.Flatten().InnerExceptions.Select(SettingsLines).ToList() is var inner && inner.All(l => l.Count > 0)
            => [.. inner.SelectMany(l => l)],
        _ => [],
    };
}
