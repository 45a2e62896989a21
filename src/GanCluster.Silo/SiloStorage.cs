namespace GanCluster.Silo;

/// <summary>The grain-storage provider every grain of the control plane uses.</summary>
public static class SiloStorage
{
    public const string ProviderName = "gancluster";
}
