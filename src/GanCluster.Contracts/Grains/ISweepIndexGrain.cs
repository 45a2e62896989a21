namespace GanCluster.Contracts.Grains;

/// <summary>Every sweep ever submitted, oldest first (key 0), for <c>sweep list</c>.</summary>
[Alias("gancluster.ISweepIndexGrain")]
public interface ISweepIndexGrain : IGrainWithIntegerKey
{
    [Alias("Add")]
    Task Add(string sweepId);

    [Alias("List")]
    Task<IReadOnlyList<string>> List();
}
