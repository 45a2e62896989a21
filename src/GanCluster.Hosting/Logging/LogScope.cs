using Serilog.Context;
using Serilog.Core.Enrichers;

namespace GanCluster.Hosting.Logging;

/// <summary>Attaches the run a block of work belongs to, so every event inside carries <c>run</c>, <c>sweep</c> and <c>rank</c>.</summary>
/// <remarks><c>ILogger.BeginScope</c> with a dictionary of the same keys works too; both need <c>Enrich.FromLogContext</c>, which the defaults add.</remarks>
public static class LogScope
{
    /// <summary>For the work of one rank of a run; <paramref name="sweep"/> is left out when the run is not part of one.</summary>
    public static IDisposable ForRank(string run, string? sweep, int rank) => LogContext.Push(
        [new PropertyEnricher("run", run), .. Sweep(sweep), new PropertyEnricher("rank", rank)]);

    /// <summary>For work on a whole run (scheduling it, recording its reports).</summary>
    public static IDisposable ForRun(string run, string? sweep) => LogContext.Push(
        [new PropertyEnricher("run", run), .. Sweep(sweep)]);

    private static PropertyEnricher[] Sweep(string? sweep) => sweep is null ? [] : [new PropertyEnricher("sweep", sweep)];
}
