using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Orchestrator.Transport.Server;
using Orchestrator.Transport.Server.InPlace;
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
        int port = await StartServerAsync(options);
        await using var client = PythonProcess.Start("interop_client.py", [port.ToString(), Token, .. arguments, .. CaseFilter]);
        Results = JsonDocument.Parse(await client.ReadToEndAsync()).RootElement;
    }

    /// <summary>Starts the server the client calls; its port.</summary>
    protected virtual async Task<int> StartServerAsync(GrpcServerOptions options)
    {
        Host = await TestServerHost.StartAsync(options);
        return Host.Server.Address.Port;
    }

    /// <summary>The client's <c>--cases=</c> argument, when it runs only some.</summary>
    protected virtual string[] CaseFilter => [];

    public JsonElement Case(string name) =>
        Results.TryGetProperty(name, out JsonElement result) ? result : throw new KeyNotFoundException($"the python client ran no case '{name}': {Results}");

    public virtual async Task DisposeAsync()
    {
        if (Host is not null) await Host.DisposeAsync();
        _certificate?.Dispose();
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }
}

/// <summary>The same calls over TLS.</summary>
public sealed class PythonTlsClientFixture() : PythonClientFixture(tls: true);

/// <summary>
/// A lane server (<see cref="InPlaceLaneServer"/>) serving Digest in place: the client runs only the cases such a
/// server answers (Digest, and the refusals before any method runs).
/// </summary>
public sealed class PythonLaneClientFixture : PythonClientFixture
{
    private InPlaceLaneServer? _lane;

    protected override string[] CaseFilter => ["--cases=digest,no_token,wrong_token,unimplemented"];

    protected override Task<int> StartServerAsync(GrpcServerOptions options)
    {
        options.InPlaceMethods.Add(InPlaceClientStreamingMethod.Create(TestMethods.Digest, new InPlaceDigests().Open));
        _lane = new InPlaceLaneServer(options);
        return Task.FromResult(_lane.Address.Port);
    }

    public override async Task DisposeAsync()
    {
        _lane?.Dispose();
        await base.DisposeAsync();
    }
}
