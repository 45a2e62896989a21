using GanCluster.Hosting.Settings;

namespace GanCluster.Hosting.Tests;

/// <summary>A storage section whose connection string is a secret.</summary>
public sealed class TestStoreOptions
{
    [Secret]
    public string ConnectionString { get; set; } = "";

    public int Timeout { get; set; } = 30;
}
