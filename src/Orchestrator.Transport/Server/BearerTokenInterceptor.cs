using System.Security.Cryptography;
using System.Text;
using Orchestrator.Transport.Wire;

namespace Orchestrator.Transport.Server;

/// <summary>Refuses, with UNAUTHENTICATED, every call without <c>authorization: Bearer &lt;token&gt;</c> for the configured token.</summary>
public sealed class BearerTokenInterceptor : IServerCallInterceptor
{
    private const string Scheme = "Bearer ";
    private readonly byte[] _expected;

    public BearerTokenInterceptor(string token)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        _expected = Encoding.UTF8.GetBytes(token);
    }

    public ValueTask OnCallAsync(ServerCallContext context)
    {
        Check(context.RequestHeaders.GetValue(GrpcProtocol.AuthorizationHeader));
        return ValueTask.CompletedTask;
    }

    /// <summary>Throws UNAUTHENTICATED unless <paramref name="authorization"/> carries the token.</summary>
    public void Check(string? authorization)
    {
        if (authorization is null)
            throw new RpcException(StatusCode.Unauthenticated, "The call has no bearer token.");
        if (!authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
            throw new RpcException(StatusCode.Unauthenticated, "The authorization header is not a bearer token.");
        byte[] presented = Encoding.UTF8.GetBytes(authorization[Scheme.Length..].Trim());
        // Constant time, so the answer's timing does not leak how much of the token matched.
        if (!CryptographicOperations.FixedTimeEquals(presented, _expected))
            throw new RpcException(StatusCode.Unauthenticated, "The bearer token is not valid.");
    }
}
