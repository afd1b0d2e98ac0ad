using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Orchestrator.Transport.Server;
using Orchestrator.Transport.Tls;

namespace Orchestrator.Transport.Tests;

/// <summary>
/// Our server (bearer token required), called once by python/interop_client.py, which runs every case in one process;
/// over h2c, or over TLS with a certificate from PEM files that the client trusts through their authority alone.
/// </summary>
public class PythonClientFixture : IAsyncLifetime
{
    public const string Token = "python-client-token";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "orchestrator-python-tls", Guid.NewGuid().ToString("N"));

    private X509Certificate2? _certificate;

    private readonly bool _tls;

    public PythonClientFixture() : this(tls: false) { }

    protected PythonClientFixture(bool tls) => _tls = tls;

    public TestServerHost Host { get; private set; } = null!;

    public JsonElement Results { get; private set; }

    public async Task InitializeAsync()
    {
        string[] arguments = [];
        var options = new GrpcServerOptions { BearerToken = Token };
        if (_tls)
        {
            var (certificate, key, authority) = TestAuthority.WriteServerFiles(_folder);
            options.Certificate = _certificate = PemCredentials.LoadServerCertificate(certificate, key);
            arguments = [authority];
        }
        Host = await TestServerHost.StartAsync(options);
        await using var client = PythonProcess.Start("interop_client.py", [Host.Server.Address.Port.ToString(), Token, .. arguments]);
        Results = JsonDocument.Parse(await client.ReadToEndAsync()).RootElement;
    }

    public JsonElement Case(string name) =>
        Results.TryGetProperty(name, out JsonElement result) ? result : throw new KeyNotFoundException($"the python client ran no case '{name}': {Results}");

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        _certificate?.Dispose();
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }
}

/// <summary>The same calls over TLS.</summary>
public sealed class PythonTlsClientFixture() : PythonClientFixture(tls: true);
