using System.Security.Cryptography;
using GanCluster.Contracts;
using GanCluster.Contracts.Control;
using GanCluster.Contracts.Grains;
using GanCluster.Specs;
using Grpc.Core;

namespace GanCluster.Silo.Api;

/// <summary>The CLI's API: validates specs, talks to the grains, and turns their snapshots into messages (runs here, sweeps in ControlPlaneService.Sweeps.cs).</summary>
public sealed partial class ControlPlaneService(IGrainFactory grains) : ControlPlane.ControlPlaneBase
{
    /// <summary>The largest gang a run may ask for (the static launcher's limit too).</summary>
    public const int MaxWorldSize = 1024;

    public override async Task<Run> SubmitRun(SubmitRunRequest request, ServerCallContext context)
    {
        RunSpec spec;
        string yaml;
        // A relative dataset.path stays relative: each worker resolves it against its own data roots.
        // 0 is proto3's unset: one rank. A negative or absurd gang can never run, so it is refused by name.
        var worldSize = request.WorldSize == 0 ? 1 : request.WorldSize;
        if (worldSize is < 1 or > MaxWorldSize)
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"field 'world_size': expected 1 to {MaxWorldSize} ranks, found {request.WorldSize}"),
                new Metadata { { "field-path", "world_size" } });
        try
        {
            (spec, yaml) = RunSpecLoader.LoadText(request.SpecYaml, "submitted spec", request.Overrides, worldSize, resolvePaths: false);
        }
        catch (SpecException e)
        {
            var trailers = new Metadata { { "field-path", e.FieldPath } };
            throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message), trailers);
        }
        // Ids are readable and unique: name, time, and 32 random bits; a collision (found by the grain) draws again.
        for (var attempt = 0; ; attempt++)
        {
            var id = $"{Slug(spec.Name)}-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
            try
            {
                var snapshot = await grains.GetGrain<IRunGrain>(id).Submit(new RunSubmission(spec.Name, yaml, worldSize, request.Priority, spec.Steps, spec.Health.OnCollapse == CollapsePolicy.Stop));
                await grains.GetGrain<ISchedulerGrain>(0).Enqueue(id, worldSize, request.Priority, DateTimeOffset.MinValue);
                return RunMessages.From(snapshot);
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
            }
        }
    }

    public override async Task<ListRunsReply> ListRuns(ListRunsRequest request, ServerCallContext context)
    {
        var ids = await grains.GetGrain<ISchedulerGrain>(0).Runs();
        var snapshots = await Task.WhenAll(ids.Select(id => grains.GetGrain<IRunGrain>(id).Get()));
        var reply = new ListRunsReply();
        reply.Runs.AddRange(snapshots.OfType<RunSnapshot>().Select(s => RunMessages.From(s, withEvents: false)));
        return reply;
    }

    public override async Task<Run> GetRun(RunRequest request, ServerCallContext context) => RunMessages.From(await Require(request.Id));

    public override async Task<Run> CancelRun(RunRequest request, ServerCallContext context)
    {
        await Require(request.Id);
        return RunMessages.From(await grains.GetGrain<IRunGrain>(request.Id).Cancel("requested through the API"));
    }

    public override async Task WatchRun(RunRequest request, IServerStreamWriter<Run> responseStream, ServerCallContext context)
    {
        var last = "";
        while (!context.CancellationToken.IsCancellationRequested)
        {
            var snapshot = await Require(request.Id);
            var message = RunMessages.From(snapshot);
            var key = message.ToString();
            if (key != last)
            {
                await responseStream.WriteAsync(message, context.CancellationToken);
                last = key;
            }
            if (snapshot.IsTerminal)
                return;
            await Task.Delay(500, context.CancellationToken);
        }
    }

    public override async Task<ListWorkersReply> ListWorkers(ListWorkersRequest request, ServerCallContext context)
    {
        var reply = new ListWorkersReply();
        reply.Workers.AddRange((await grains.GetGrain<ISchedulerGrain>(0).Workers()).Select(RunMessages.From));
        return reply;
    }

    private async Task<RunSnapshot> Require(string id) =>
        ResourceId.Problem(id) is { } problem ? throw new RpcException(new Status(StatusCode.InvalidArgument, $"field 'id': the run id {problem}"), new Metadata { { "field-path", "id" } })
        : await grains.GetGrain<IRunGrain>(id).Get() ?? throw new RpcException(new Status(StatusCode.NotFound, $"no run '{id}'"));

    private static string Slug(string name)
    {
        var slug = new string(name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
        return slug.Length == 0 ? "run" : slug[..Math.Min(slug.Length, 40)];
    }
}
