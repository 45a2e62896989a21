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
using Orleans.Storage;

// The control plane's silo: Orleans grains (runs, scheduler) with their state in a local SQLite file, and the
// CLI's gRPC API on --api-port behind a bearer token.
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
var builder = WebApplication.CreateBuilder();
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.ConfigureKestrel(kestrel =>
    kestrel.Listen(IPAddress.Parse(options.Host), options.ApiPort, listen => listen.Protocols = HttpProtocols.Http2));
builder.UseOrleans(silo =>
{
    silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort);
    silo.Services.AddKeyedSingleton<IGrainStorage>(SiloStorage.ProviderName, (_, _) => new SqliteGrainStorage(options.DatabasePath));
});
builder.Services.AddSingleton(BearerToken.FromFile(options.TokenFile, create: true));
builder.Services.AddGrpc(grpc => grpc.Interceptors.Add<BearerTokenInterceptor>());
var app = builder.Build();
app.MapGrpcService<ControlPlaneService>();
await app.StartAsync();
Console.WriteLine($"silo ready: api http://{options.Host}:{options.ApiPort}, gateway {options.GatewayPort}, state {options.DatabasePath}");
await app.WaitForShutdownAsync();
return 0;
