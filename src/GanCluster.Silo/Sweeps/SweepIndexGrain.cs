using GanCluster.Contracts.Grains;
using GanCluster.Silo.Security;

namespace GanCluster.Silo.Sweeps;

/// <summary>The persisted list of sweep ids.</summary>
public sealed class SweepIndexGrain([PersistentState("sweeps", SiloStorage.ProviderName)] IPersistentState<List<string>> index) : Grain, ISweepIndexGrain
{
    public async Task Add(string sweepId)
    {
        CallerIdentity.Current.RequireControl("index sweeps");
        if (index.State.Contains(sweepId))
            return;
        index.State.Add(sweepId);
        await index.WriteStateAsync();
    }

    public Task<IReadOnlyList<string>> List()
    {
        CallerIdentity.Current.RequireControl("list sweeps");
        return Task.FromResult<IReadOnlyList<string>>([.. index.State]);
    }
}
