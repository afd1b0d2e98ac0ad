using Orchestrator.Transport.Client;

namespace Orchestrator.Transport.Tests;

/// <summary>
/// Client tests that run once per HTTP/2 client stack: SocketsHttpHandler, and the transport's own
/// (<see cref="GrpcChannelOptions.DirectHttp2"/>). Each test class derives twice.
/// </summary>
public abstract class ClientStackTests
{
    protected abstract bool DirectHttp2 { get; }

    /// <summary><paramref name="options"/> (or the defaults) on this class's client stack.</summary>
    protected GrpcChannelOptions Client(GrpcChannelOptions? options = null)
    {
        options ??= new GrpcChannelOptions();
        options.DirectHttp2 = DirectHttp2;
        return options;
    }
}
