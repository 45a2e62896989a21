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
            throw Invalid("world_size", $"field 'world_size': expected 1 to {MaxWorldSize} ranks, found {request.WorldSize}");
        try
        {
            (spec, yaml) = RunSpecLoader.LoadText(request.SpecYaml, "submitted spec", request.Overrides, worldSize, resolvePaths: false);
        }
        catch (SpecException e)
        {
            throw Invalid(e.FieldPath, e.Message);
        }
        return await WithNewId(spec.Name, async id =>
        {
            var snapshot = await grains.GetGrain<IRunGrain>(id).Submit(new RunSubmission(spec.Name, yaml, worldSize, request.Priority, spec.Steps, spec.Health.OnCollapse == CollapsePolicy.Stop));
            await grains.GetGrain<ISchedulerGrain>(0).Enqueue(id, worldSize, request.Priority, DateTimeOffset.MinValue);
            return RunMessages.From(snapshot);
        });
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

    public override Task WatchRun(RunRequest request, IServerStreamWriter<Run> responseStream, ServerCallContext context) =>
        Watch(async () =>
        {
            var snapshot = await Require(request.Id);
            return (RunMessages.From(snapshot), snapshot.IsTerminal);
        }, responseStream, TimeSpan.FromMilliseconds(500), context.CancellationToken);

    public override async Task<ListWorkersReply> ListWorkers(ListWorkersRequest request, ServerCallContext context)
    {
        var reply = new ListWorkersReply();
        reply.Workers.AddRange((await grains.GetGrain<ISchedulerGrain>(0).Workers()).Select(RunMessages.From));
        return reply;
    }

    private async Task<RunSnapshot> Require(string id) =>
        await grains.GetGrain<IRunGrain>(CheckId(id, "run")).Get() ?? throw new RpcException(new Status(StatusCode.NotFound, $"no run '{id}'"));

    /// <summary>InvalidArgument naming the field, in the message and in the <c>field-path</c> trailer.</summary>
    private static RpcException Invalid(string fieldPath, string message) =>
        new(new Status(StatusCode.InvalidArgument, message), new Metadata { { "field-path", fieldPath } });

    /// <summary>A run or sweep id from a request, refused by name unless it is one (it keys a grain and names a folder).</summary>
    private static string CheckId(string id, string what) =>
        ResourceId.Problem(id) is { } problem ? throw Invalid("id", $"field 'id': the {what} id {problem}") : id;

    /// <summary>
    /// Creates a run or sweep under a new id: readable and unique (name, time, and 32 random bits); a collision,
    /// which the grain finds, draws again.
    /// </summary>
    private static async Task<T> WithNewId<T>(string name, Func<string, Task<T>> create)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await create($"{Slug(name)}-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
            }
        }
    }

    /// <summary>Streams a run's or sweep's message whenever it changes, until it has ended.</summary>
    private static async Task Watch<TMessage>(Func<Task<(TMessage Message, bool Ended)>> read, IServerStreamWriter<TMessage> stream, TimeSpan period, CancellationToken cancellation)
        where TMessage : Google.Protobuf.IMessage
    {
        var last = "";
        while (!cancellation.IsCancellationRequested)
        {
            var (message, ended) = await read();
            var key = message.ToString();
            if (key != last)
            {
                await stream.WriteAsync(message, cancellation);
                last = key;
            }
            if (ended)
                return;
            await Task.Delay(period, cancellation);
        }
    }

    private static string Slug(string name)
    {
        var slug = new string(name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
        return slug.Length == 0 ? "run" : slug[..Math.Min(slug.Length, 40)];
    }
}
