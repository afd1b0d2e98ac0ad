using Orchestrator.Transport.Client;

namespace Orchestrator.Transport.Tests;

/// <summary>python/interop_server.py (grpcio, bearer token required) on a loopback port it picks, and our channel to it.</summary>
public sealed class PythonServerFixture : IAsyncLifetime
{
    public const string Token = "python-server-token";

    private PythonProcess? _server;

    /// <summary>Through SocketsHttpHandler.</summary>
    public GrpcChannel Channel { get; private set; } = null!;

    /// <summary>Through the transport's own HTTP/2 client.</summary>
    public GrpcChannel DirectChannel { get; private set; } = null!;

    public CallInvoker Invoker(bool directHttp2) => (directHttp2 ? DirectChannel : Channel).CreateCallInvoker();

    public async Task InitializeAsync()
    {
        _server = PythonProcess.Start("interop_server.py", Token);
        int port = int.Parse(await _server.ReadLineAsync());
        Channel = new GrpcChannel(new Uri($"http://127.0.0.1:{port}"), new GrpcChannelOptions { BearerToken = Token });
        DirectChannel = new GrpcChannel(Channel.Address, new GrpcChannelOptions { BearerToken = Token, DirectHttp2 = true });
    }

    public async Task DisposeAsync()
    {
        Channel?.Dispose();
        DirectChannel?.Dispose();
        if (_server is not null) await _server.DisposeAsync();
    }
}
