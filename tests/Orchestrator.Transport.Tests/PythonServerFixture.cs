using System.Net.Security;
using Orchestrator.Transport.Client;
using Orchestrator.Transport.Tls;

namespace Orchestrator.Transport.Tests;

/// <summary>
/// python/interop_server.py (grpcio, bearer token required) on a loopback port it picks, and our channels to it; over
/// h2c, or over TLS with a certificate from PEM files that our channels trust through their authority alone.
/// </summary>
public class PythonServerFixture : IAsyncLifetime
{
    public const string Token = "python-server-token";

    private readonly bool _tls;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "orchestrator-python-tls", Guid.NewGuid().ToString("N"));
    private PythonProcess? _server;

    public PythonServerFixture() : this(tls: false) { }

    protected PythonServerFixture(bool tls) => _tls = tls;

    /// <summary>How a channel to this server checks its certificate; null over h2c.</summary>
    public RemoteCertificateValidationCallback? Trust { get; private set; }

    /// <summary>Through SocketsHttpHandler.</summary>
    public GrpcChannel Channel { get; private set; } = null!;

    /// <summary>Through the transport's own HTTP/2 client.</summary>
    public GrpcChannel DirectChannel { get; private set; } = null!;

    public CallInvoker Invoker(bool directHttp2) => (directHttp2 ? DirectChannel : Channel).CreateCallInvoker();

    public async Task InitializeAsync()
    {
        string[] arguments = [Token];
        if (_tls)
        {
            var (certificate, key, authority) = TestAuthority.WriteServerFiles(_folder);
            arguments = [Token, certificate, key];
            Trust = PemCredentials.TrustAuthorities(authority);
        }
        _server = PythonProcess.Start("interop_server.py", arguments);
        int port = int.Parse(await _server.ReadLineAsync());
        Channel = new GrpcChannel(new Uri($"{(_tls ? "https" : "http")}://127.0.0.1:{port}"), new GrpcChannelOptions { BearerToken = Token, RemoteCertificateValidation = Trust });
        DirectChannel = new GrpcChannel(Channel.Address, new GrpcChannelOptions { BearerToken = Token, DirectHttp2 = true, RemoteCertificateValidation = Trust });
    }

    public async Task DisposeAsync()
    {
        Channel?.Dispose();
        DirectChannel?.Dispose();
        if (_server is not null) await _server.DisposeAsync();
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }
}

/// <summary>The same server over TLS.</summary>
public sealed class PythonTlsServerFixture() : PythonServerFixture(tls: true);
