using System.Reflection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GanCluster.Hosting.Settings;

/// <summary>Logs each section's effective settings at start-up, secrets masked, so a run's log says what it ran with.</summary>
internal sealed class SettingsReport(IEnumerable<SettingsSection> sections, IServiceProvider services, ILogger<SettingsReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var section in sections.DistinctBy(s => s.Name, StringComparer.OrdinalIgnoreCase))
            logger.LogInformation("Settings {Section}: {Settings}", section.Name, Describe(section.Resolve(services)));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static string Describe(object options) => string.Join(" ",
        options.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.GetIndexParameters().Length == 0)
            .Select(p => $"{p.Name}={SettingsProblem.Render(p, p.GetValue(options))}"));
}
