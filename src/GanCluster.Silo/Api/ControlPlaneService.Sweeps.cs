using GanCluster.Contracts;
using GanCluster.Contracts.Control;
using GanCluster.Contracts.Grains;
using GanCluster.Silo.Sweeps;
using GanCluster.Sweeps;
using GanCluster.Specs;
using Grpc.Core;

namespace GanCluster.Silo.Api;

/// <summary>The sweep half of the API.</summary>
public sealed partial class ControlPlaneService
{
    public override async Task<Sweep> SubmitSweep(SubmitSweepRequest request, ServerCallContext context)
    {
        var baseYaml = request.BaseYaml.Length > 0 ? request.BaseYaml : null;
        Specs.Sweeps.SweepSpec spec;
        try
        {
            spec = SweepDefinition.Parse(request.SweepYaml, baseYaml, "submitted sweep");
        }
        catch (SpecException e)
        {
            throw Invalid(e.FieldPath, e.Message);
        }
        return await WithNewId(spec.Name, async id =>
        {
            var snapshot = await grains.GetGrain<ISweepGrain>(id).Submit(new SweepSubmission(request.SweepYaml, baseYaml));
            await grains.GetGrain<ISweepIndexGrain>(0).Add(id);
            return SweepMessages.From(snapshot);
        });
    }

    public override async Task<ListSweepsReply> ListSweeps(ListSweepsRequest request, ServerCallContext context)
    {
        var ids = await grains.GetGrain<ISweepIndexGrain>(0).List();
        var snapshots = await Task.WhenAll(ids.Select(id => grains.GetGrain<ISweepGrain>(id).Get()));
        var reply = new ListSweepsReply();
        reply.Sweeps.AddRange(snapshots.OfType<SweepSnapshot>().Select(s => SweepMessages.From(s, withDetail: false)));
        return reply;
    }

    public override async Task<Sweep> GetSweep(SweepRequest request, ServerCallContext context) => SweepMessages.From(await RequireSweep(request.Id));

    public override async Task<Sweep> CancelSweep(SweepRequest request, ServerCallContext context)
    {
        await RequireSweep(request.Id);
        return SweepMessages.From(await grains.GetGrain<ISweepGrain>(request.Id).Cancel("requested through the API"));
    }

    public override Task WatchSweep(SweepRequest request, IServerStreamWriter<Sweep> responseStream, ServerCallContext context) =>
        Watch(async () =>
        {
            var snapshot = await RequireSweep(request.Id);
            return (SweepMessages.From(snapshot), snapshot.IsTerminal);
        }, responseStream, TimeSpan.FromSeconds(1), context.CancellationToken);

    private async Task<SweepSnapshot> RequireSweep(string id) =>
        await grains.GetGrain<ISweepGrain>(CheckId(id, "sweep")).Get() ?? throw new RpcException(new Status(StatusCode.NotFound, $"no sweep '{id}'"));
}
