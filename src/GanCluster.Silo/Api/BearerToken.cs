using GanCluster.Contracts.Security;
using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace GanCluster.Silo.Api;

/// <summary>
/// The API's one credential: every call must carry <c>authorization: Bearer TOKEN</c>. The token is read from a
/// file (created with a random value and mode 600 when missing) and is never logged.
/// </summary>
public sealed class BearerToken
{
    private readonly byte[] _expected;

    public BearerToken(string token)
    {
        if (token.Length < 16)
            throw new ArgumentException("the API token must have at least 16 characters");
        _expected = Encoding.UTF8.GetBytes(token);
    }

    public static BearerToken FromFile(string path, bool create)
    {
        if (!File.Exists(path))
        {
            if (!create)
                throw new FileNotFoundException($"API token file {path} does not exist");
            PrivateFiles.EnsureFolder(Path.GetDirectoryName(Path.GetFullPath(path))!);
            PrivateFiles.WriteNew(path, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));
        }
        return new BearerToken(File.ReadAllText(path).Trim());
    }

    public bool Accepts(string? authorization) =>
        authorization is not null && authorization.StartsWith("Bearer ", StringComparison.Ordinal)
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(authorization["Bearer ".Length..].Trim()), _expected);
}

/// <summary>
/// Refuses every call without the bearer token, before it reaches a service method. A call that carries it acts as
/// the API: its grain calls present the API's credential (see <see cref="Security.CallerAuthentication"/>).
/// </summary>
public sealed class BearerTokenInterceptor(BearerToken token, ClusterKey key) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return await continuation(request, context);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        await continuation(request, responseStream, context);
    }

    private void Check(ServerCallContext context)
    {
        if (!token.Accepts(context.RequestHeaders.GetValue("authorization")))
            throw new RpcException(new Status(StatusCode.Unauthenticated, "missing or invalid bearer token (see `gancluster up`, which writes it to the cluster directory)"));
        ActAsApi(key);
    }

    /// <summary>The grain calls that follow, in this flow, present the API's credential.</summary>
    public static void ActAsApi(ClusterKey key)
    {
        Orleans.Runtime.RequestContext.Set(CallerCredential.IdKey, CallerCredential.ApiId);
        Orleans.Runtime.RequestContext.Set(CallerCredential.ProofKey, key.ApiCredential());
    }
}
