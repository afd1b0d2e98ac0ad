using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Orchestrator.Transport.Tests;

/// <summary>
/// A private certificate authority and a server certificate it signs, written as the PEM files a cluster's TLS secret
/// holds (tls.crt, tls.key, ca.crt). Each call makes a new authority in a new folder.
/// </summary>
public static class TestAuthority
{
    /// <summary>
    /// Files of a server certificate for <paramref name="hosts"/> (default 127.0.0.1 and localhost), valid now unless
    /// <paramref name="expired"/>; with <paramref name="intermediate"/>, signed by an intermediate authority that
    /// tls.crt carries after it (as cert-manager writes a chain), ca.crt holding the root alone.
    /// </summary>
    public static (string Certificate, string Key, string Authority) WriteServerFiles(string directory, bool expired = false, bool intermediate = false, string[]? hosts = null)
    {
        string folder = Path.Combine(directory, $"tls-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using var authorityKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var authorityRequest = new CertificateRequest("CN=orchestrator test authority", authorityKey, HashAlgorithmName.SHA256);
        authorityRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        authorityRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using X509Certificate2 authority = authorityRequest.CreateSelfSigned(now.AddDays(-3), now.AddDays(3));
        using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var intermediateRequest = new CertificateRequest("CN=orchestrator test intermediate", intermediateKey, HashAlgorithmName.SHA256);
        intermediateRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        intermediateRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using X509Certificate2 intermediatePublic = intermediateRequest.Create(authority, now.AddDays(-2), now.AddDays(2), RandomNumberGenerator.GetBytes(8));
        using X509Certificate2? signer = intermediate ? intermediatePublic.CopyWithPrivateKey(intermediateKey) : null;

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=orchestrator test server", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (string host in hosts ?? ["127.0.0.1", "localhost"])
        {
            if (IPAddress.TryParse(host, out IPAddress? ip)) names.AddIpAddress(ip);
            else names.AddDnsName(host);
        }
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        (DateTimeOffset from, DateTimeOffset to) = expired ? (now.AddDays(-2), now.AddDays(-1)) : (now.AddDays(-1), now.AddDays(1));
        using X509Certificate2 server = request.Create(signer ?? authority, from, to, RandomNumberGenerator.GetBytes(8));

        var files = (Certificate: Path.Combine(folder, "tls.crt"), Key: Path.Combine(folder, "tls.key"), Authority: Path.Combine(folder, "ca.crt"));
        File.WriteAllText(files.Certificate, server.ExportCertificatePem() + (intermediate ? "\n" + intermediatePublic.ExportCertificatePem() : ""));
        File.WriteAllText(files.Key, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(files.Authority, authority.ExportCertificatePem());
        return files;
    }
}
