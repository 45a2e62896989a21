namespace GanCluster.Hosting.Settings;

/// <summary>A registered options section, remembered so its values can be logged once at start-up.</summary>
internal sealed record SettingsSection(string Name, Func<IServiceProvider, object> Resolve);
