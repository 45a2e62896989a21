namespace GanCluster.Hosting.Settings;

/// <summary>A setting the user got wrong; its message is the whole line they will read, so it names the setting and its source.</summary>
public sealed class SettingsException(string message) : Exception(message);
