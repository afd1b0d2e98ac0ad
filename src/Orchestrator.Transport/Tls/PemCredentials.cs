using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Orchestrator.Transport.Tls;

/// <summary>
/// TLS material from PEM files, as a Kubernetes TLS secret holds it (<c>tls.crt</c>, <c>tls.key</c>, <c>ca.crt</c>):
/// the certificate a server presents, and the private authorities a client trusts instead of the system's.
/// </summary>
public static class PemCredentials
{
    /// <summary>
    /// The file's first certificate with its private key; throws naming the file that is wrong. The certificates after
    /// it (intermediates, as cert-manager appends them) are <see cref="LoadChain"/>'s.
    /// </summary>
    public static X509Certificate2 LoadServerCertificate(string certificateFile, string keyFile)
    {
        RequireFile(certificateFile, "TLS certificate");
        RequireFile(keyFile, "TLS private key");
        try
        {
            X509Certificate2 certificate = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
            DateTime notAfter = certificate.NotAfter;
            if (DateTime.Now <= notAfter) return certificate;
            certificate.Dispose();
            throw new CryptographicException($"it expired on {notAfter:u}");
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            // A key that is not the certificate's comes as an ArgumentException, unreadable PEM as a CryptographicException.
            throw new ArgumentException($"TLS certificate {certificateFile} with key {keyFile} cannot be used: {e.Message}", e);
        }
    }

    /// <summary>The certificates after the first in a PEM file: the intermediates a server sends with its own.</summary>
    public static X509Certificate2Collection LoadChain(string certificateFile)
    {
        X509Certificate2Collection all = ReadCertificates(certificateFile, "TLS certificate");
        var chain = new X509Certificate2Collection();
        for (int k = 1; k < all.Count; k++) chain.Add(all[k]);
        if (all.Count > 0) all[0].Dispose();
        return chain;
    }

    /// <summary>
    /// A validation that accepts a server certificate only if it chains to one of the PEM file's authorities and names
    /// the host called (the usual name check stays on); throws naming the file when it holds no certificate.
    /// </summary>
    public static RemoteCertificateValidationCallback TrustAuthorities(string authorityFile)
    {
        X509Certificate2Collection authorities = ReadCertificates(authorityFile, "TLS certificate authority");
        if (authorities.Count == 0) throw new ArgumentException($"TLS certificate authority {authorityFile} holds no PEM certificate");
        return (_, certificate, presentedChain, errors) => ChainsToAuthority(certificate, presentedChain, errors, authorities);
    }

    private static bool ChainsToAuthority(X509Certificate? certificate, X509Chain? presentedChain, SslPolicyErrors errors, X509Certificate2Collection authorities)
    {
        if (certificate is not X509Certificate2 leaf) return false;
        if ((errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        // A private cluster authority publishes no revocation list.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presentedChain is not null)
            foreach (X509ChainElement element in presentedChain.ChainElements) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        return chain.Build(leaf);
    }

    /// <summary>Every certificate in a PEM file; throws naming the file when it is missing or unreadable.</summary>
    private static X509Certificate2Collection ReadCertificates(string file, string what)
    {
        RequireFile(file, what);
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPemFile(file);
        }
        catch (CryptographicException e)
        {
            throw new ArgumentException($"{what} {file} cannot be read: {e.Message}", e);
        }
        return certificates;
    }

    private static void RequireFile(string path, string what)
    {
        if (!File.Exists(path)) throw new ArgumentException($"{what} file {path} does not exist");
    }
}
