using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using GanCluster.Silo;
using GanCluster.Silo.Api;
using GanCluster.Silo.Storage;
using Microsoft.AspNetCore.Server.Kestrel.Core;

// The control plane's silo: Orleans grains (runs, scheduler) with their state in a local SQLite file (embedded) or
// in PostgreSQL shared with other silos, and the CLI's gRPC API on --api-port behind a bearer token.
SiloOptions options;
try
{
    options = SiloOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error (usage): {e.Message}");
    return 2;
}

Directory.CreateDirectory(options.StateDirectory);
if (options.Postgres is { } postgres)
{
    try
    {
        await PostgresSchema.ApplyAsync(postgres, CancellationToken.None);
    }
    catch (InvalidOperationException e)
    {
        Console.Error.WriteLine($"error (store): {e.Message}");
        return 3;
    }
}
var builder = WebApplication.CreateBuilder();
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.ConfigureKestrel(kestrel =>
    kestrel.Listen(IPAddress.Parse(options.Host), options.ApiPort, listen => listen.Protocols = HttpProtocols.Http2));
builder.UseOrleans(silo =>
{
    silo.UseClusterStore(options);
});
builder.Services.AddSingleton(BearerToken.FromFile(options.TokenFile, create: true));
builder.Services.AddGrpc(grpc =>
{
    grpc.Interceptors.Add<BearerTokenInterceptor>();
    grpc.Interceptors.Add<ClusterUnavailableInterceptor>();
});
var app = builder.Build();
app.MapGrpcService<ControlPlaneService>();
await app.StartAsync();
Console.WriteLine($"silo ready: api http://{options.Host}:{options.ApiPort}, silo {options.Host}:{options.SiloPort}, gateway {options.GatewayPort}, {options.DescribeStore()}");
await app.WaitForShutdownAsync();
return 0;
