using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace Orchestrator.Transport.Http2;

/// <summary>How both HTTP/2 clients (<see cref="Http2ClientConnection"/>, <see cref="Lanes.PushLane"/>) reach a server.</summary>
internal static class Http2Connector
{
    /// <summary>
    /// Connects (TCP, then TLS with ALPN h2 for https): the socket, and the stream that speaks HTTP/2 over it (the
    /// socket's own, or TLS over that), which owns the socket. A failure is an <see cref="HttpRequestException"/>
    /// naming the server.
    /// </summary>
    public static async Task<(Socket Socket, Stream Transport)> ConnectAsync(Uri address, TimeSpan connectTimeout,
        RemoteCertificateValidationCallback? remoteCertificateValidation, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (connectTimeout != Timeout.InfiniteTimeSpan) timeout.CancelAfter(connectTimeout);
            try
            {
                await socket.ConnectAsync(new DnsEndPoint(address.IdnHost, address.Port), timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new HttpRequestException(HttpRequestError.ConnectionError, $"connecting to {address.Authority} timed out after {connectTimeout}");
            }
            catch (SocketException e)
            {
                throw new HttpRequestException(HttpRequestError.ConnectionError, $"{e.Message} ({address.Authority})", e);
            }
            Stream transport = new NetworkStream(socket, ownsSocket: true);
            if (address.Scheme != Uri.UriSchemeHttps) return (socket, transport);
            var tls = new SslStream(transport, leaveInnerStreamOpen: false);
            try
            {
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = address.IdnHost,
                    ApplicationProtocols = [SslApplicationProtocol.Http2],
                    RemoteCertificateValidationCallback = remoteCertificateValidation,
                }, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is AuthenticationException or IOException)
            {
                throw new HttpRequestException(HttpRequestError.SecureConnectionError, $"TLS with {address.Authority} failed: {e.Message}", e);
            }
            if (tls.NegotiatedApplicationProtocol != SslApplicationProtocol.Http2)
                throw new HttpRequestException(HttpRequestError.ConnectionError, $"{address.Authority} did not agree to HTTP/2 over TLS (ALPN h2)");
            return (socket, tls);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
