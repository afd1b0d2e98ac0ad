using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Orchestrator.Transport.Client;
using Orchestrator.Transport.Server;

namespace Orchestrator.Transport.Tests;

/// <summary>https goes through the same server and client code as h2c, on both client stacks.</summary>
public sealed class TlsTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task calls_work_over_TLS_with_a_pinned_self_signed_certificate(bool directHttp2)
    {
        using X509Certificate2 certificate = SelfSigned();
        await using var host = await TestServerHost.StartAsync(
            new GrpcServerOptions { Certificate = certificate, BearerToken = "tls-token" },
            new GrpcChannelOptions { DirectHttp2 = directHttp2, BearerToken = "tls-token", RemoteCertificateValidation = (_, presented, _, _) => presented?.GetCertHashString() == certificate.GetCertHashString() });
        Assert.Equal("https", host.Server.Address.Scheme);
        using var unary = host.Invoker.AsyncUnaryCall(TestMethods.Unary, "secure"u8.ToArray());
        Assert.Equal("secure", Encoding.UTF8.GetString(await unary.ResponseAsync.WaitAsync(TimeSpan.FromSeconds(30))));
        using var duplex = host.Invoker.AsyncDuplexStreamingCall(TestMethods.Bidi);
        await duplex.RequestStream.WriteAsync("x"u8.ToArray());
        await duplex.RequestStream.CompleteAsync();
        Assert.True(await duplex.ResponseStream.MoveNext());
        Assert.False(await duplex.ResponseStream.MoveNext());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task an_untrusted_certificate_is_UNAVAILABLE(bool directHttp2)
    {
        using X509Certificate2 certificate = SelfSigned();
        await using var host = await TestServerHost.StartAsync(new GrpcServerOptions { Certificate = certificate }, new GrpcChannelOptions { DirectHttp2 = directHttp2 });
        using var call = host.Invoker.AsyncUnaryCall(TestMethods.Unary, []);
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
    }

    internal static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using X509Certificate2 created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        // Kestrel needs the key in an exportable, loadable form.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }
}
