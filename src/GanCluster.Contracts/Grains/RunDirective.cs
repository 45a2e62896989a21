namespace GanCluster.Contracts.Grains;

/// <summary>The run grain's answer to a report.</summary>
[GenerateSerializer, Alias("gancluster.RunDirective")]
public enum RunDirective
{
    Continue = 0,
    Stop = 1,
}
