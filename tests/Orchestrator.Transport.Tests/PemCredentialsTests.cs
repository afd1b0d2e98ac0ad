using System.Security.Cryptography.X509Certificates;
using System.Text;
using Orchestrator.Transport.Client;
using Orchestrator.Transport.Server;
using Orchestrator.Transport.Tls;

namespace Orchestrator.Transport.Tests;

/// <summary>A cluster's TLS from PEM files: a server certificate signed by a private authority, trusted through that authority alone.</summary>
public sealed class PemCredentialsTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "orchestrator-tls-tests", Guid.NewGuid().ToString("N"));

    public PemCredentialsTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static async Task<StatusCode> CallAsync(string certificate, string key, string trusted, bool directHttp2, bool sendChain = true)
    {
        using X509Certificate2 served = PemCredentials.LoadServerCertificate(certificate, key);
        await using var host = await TestServerHost.StartAsync(new GrpcServerOptions { Certificate = served, CertificateChain = sendChain ? PemCredentials.LoadChain(certificate) : null },
            new GrpcChannelOptions { DirectHttp2 = directHttp2, RemoteCertificateValidation = PemCredentials.TrustAuthorities(trusted) });
        using var call = host.Invoker.AsyncUnaryCall(TestMethods.Unary, "over tls"u8.ToArray());
        try
        {
            Assert.Equal("over tls", Encoding.UTF8.GetString(await call.ResponseAsync.WaitAsync(TimeSpan.FromSeconds(30))));
            return StatusCode.OK;
        }
        catch (RpcException e)
        {
            return e.StatusCode;
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_certificate_signed_by_the_trusted_authority_is_accepted_and_any_other_is_UNAVAILABLE(bool directHttp2)
    {
        var (certificate, key, authority) = TestAuthority.WriteServerFiles(_root);
        var (_, _, otherAuthority) = TestAuthority.WriteServerFiles(_root);
        var (elsewhere, elsewhereKey, elsewhereAuthority) = TestAuthority.WriteServerFiles(_root, hosts: ["elsewhere.test"]);

        Assert.Equal(StatusCode.OK, await CallAsync(certificate, key, authority, directHttp2));
        Assert.Equal(StatusCode.Unavailable, await CallAsync(certificate, key, otherAuthority, directHttp2));
        // Signed by the trusted authority, but for another host name: the name check stays on.
        Assert.Equal(StatusCode.Unavailable, await CallAsync(elsewhere, elsewhereKey, elsewhereAuthority, directHttp2));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_certificate_signed_by_an_intermediate_is_accepted_through_the_root_when_the_server_sends_the_chain(bool directHttp2)
    {
        var (certificate, key, root) = TestAuthority.WriteServerFiles(_root, intermediate: true);
        Assert.Single(PemCredentials.LoadChain(certificate));
        Assert.Equal(StatusCode.OK, await CallAsync(certificate, key, root, directHttp2));
        // Without the intermediate the caller cannot link the certificate to the root it trusts.
        Assert.Equal(StatusCode.Unavailable, await CallAsync(certificate, key, root, directHttp2, sendChain: false));
    }

    [Fact]
    public void Files_that_cannot_serve_are_named()
    {
        var (certificate, key, authority) = TestAuthority.WriteServerFiles(_root);
        var (_, otherKey, _) = TestAuthority.WriteServerFiles(_root);
        var (expired, expiredKey, _) = TestAuthority.WriteServerFiles(_root, expired: true);
        string missing = Path.Combine(_root, "missing.pem");

        Assert.Equal($"TLS certificate file {missing} does not exist", Assert.Throws<ArgumentException>(() => PemCredentials.LoadServerCertificate(missing, key)).Message);
        Assert.Equal($"TLS private key file {missing} does not exist", Assert.Throws<ArgumentException>(() => PemCredentials.LoadServerCertificate(certificate, missing)).Message);
        Assert.StartsWith($"TLS certificate {certificate} with key {otherKey} cannot be used: ",
            Assert.Throws<ArgumentException>(() => PemCredentials.LoadServerCertificate(certificate, otherKey)).Message);
        Assert.Matches($@"^TLS certificate {Regex(expired)} with key {Regex(expiredKey)} cannot be used: it expired on ",
            Assert.Throws<ArgumentException>(() => PemCredentials.LoadServerCertificate(expired, expiredKey)).Message);
        // A key where the authority belongs holds no certificate.
        Assert.Equal($"TLS certificate authority {key} holds no PEM certificate", Assert.Throws<ArgumentException>(() => PemCredentials.TrustAuthorities(key)).Message);
        Assert.Equal($"TLS certificate authority file {missing} does not exist", Assert.Throws<ArgumentException>(() => PemCredentials.TrustAuthorities(missing)).Message);
        Assert.NotNull(PemCredentials.TrustAuthorities(authority));
    }

    private static string Regex(string path) => System.Text.RegularExpressions.Regex.Escape(path);
}
