namespace GanCluster.Hosting.Settings;

/// <summary>Marks an options property (a password, token or connection string) whose value is never written to logs or errors.</summary>
[AttributeUsage(AttributeTargets.Property, Inherited = true)]
public sealed class SecretAttribute : Attribute;
