using System.Security.Cryptography;
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
            throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message), new Metadata { { "field-path", e.FieldPath } });
        }
        // PBT's decisions exist (GanCluster.Sweeps), but a trial's exploit, loading another trial's full GAN state, is not built yet.
        if (spec.Algorithm is Specs.Sweeps.PbtSearch)
            throw new RpcException(new Status(StatusCode.InvalidArgument, "field 'algorithm.kind': 'pbt' is not run by the control plane yet (its exploit step is not built); use grid, random, tpe or asha"),
                new Metadata { { "field-path", "algorithm.kind" } });
        for (var attempt = 0; ; attempt++)
        {
            var id = $"{Slug(spec.Name)}-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
            try
            {
                var snapshot = await grains.GetGrain<ISweepGrain>(id).Submit(new SweepSubmission(request.SweepYaml, baseYaml));
                await grains.GetGrain<ISweepIndexGrain>(0).Add(id);
                return SweepMessages.From(snapshot);
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
            }
        }
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

    public override async Task WatchSweep(SweepRequest request, IServerStreamWriter<Sweep> responseStream, ServerCallContext context)
    {
        var last = "";
        while (!context.CancellationToken.IsCancellationRequested)
        {
            var snapshot = await RequireSweep(request.Id);
            var message = SweepMessages.From(snapshot);
            var key = message.ToString();
            if (key != last)
            {
                await responseStream.WriteAsync(message, context.CancellationToken);
                last = key;
            }
            if (snapshot.IsTerminal)
                return;
            await Task.Delay(1000, context.CancellationToken);
        }
    }

    private async Task<SweepSnapshot> RequireSweep(string id) =>
        ResourceId.Problem(id) is { } problem ? throw new RpcException(new Status(StatusCode.InvalidArgument, $"field 'id': the sweep id {problem}"), new Metadata { { "field-path", "id" } })
        : await grains.GetGrain<ISweepGrain>(id).Get() ?? throw new RpcException(new Status(StatusCode.NotFound, $"no sweep '{id}'"));
}
