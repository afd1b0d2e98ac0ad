using System.Net;
using Orchestrator.Transport.Http2;

namespace Orchestrator.Transport.Client;

/// <summary>
/// A connection pool to one server. <c>http://</c> speaks cleartext HTTP/2 with prior knowledge (h2c), <c>https://</c>
/// HTTP/2 over TLS; both through SocketsHttpHandler, or the transport's own HTTP/2 client with
/// <see cref="GrpcChannelOptions.DirectHttp2"/>. Thread-safe; share one per server.
/// </summary>
public sealed class GrpcChannel : IDisposable
{
    public GrpcChannel(Uri address, GrpcChannelOptions? options = null)
    {
        if (address.Scheme is not ("http" or "https"))
            throw new ArgumentException($"gRPC address '{address}' must be http:// (h2c) or https://", nameof(address));
        Options = options ?? new GrpcChannelOptions();
        Options.Validate();
        Address = address;
        HttpInvoker = new HttpMessageInvoker(Options.DirectHttp2 ? DirectHandler(Options) : SocketsHandler(Options), disposeHandler: true);
    }

    public static GrpcChannel ForAddress(string address, GrpcChannelOptions? options = null) => new(new Uri(address), options);

    public Uri Address { get; }

    public GrpcChannelOptions Options { get; }

    internal HttpMessageInvoker HttpInvoker { get; }

    public CallInvoker CreateCallInvoker() => new(this);

    public void Dispose() => HttpInvoker.Dispose();

    private static DirectHttp2Handler DirectHandler(GrpcChannelOptions options) =>
        new(new Http2ConnectionSettings(options.InitialHttp2StreamWindowSize, options.ConnectTimeout, options.RemoteCertificateValidation, options.AskInPlace));

    private static SocketsHttpHandler SocketsHandler(GrpcChannelOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            InitialHttp2StreamWindowSize = options.InitialHttp2StreamWindowSize,
            EnableMultipleHttp2Connections = options.EnableMultipleHttp2Connections,
            ConnectTimeout = options.ConnectTimeout,
            KeepAlivePingDelay = options.KeepAlivePingDelay,
            KeepAlivePingTimeout = options.KeepAlivePingTimeout,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            // Long-lived calls and idle gaps between all-reduce steps should not cost a reconnect.
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            UseProxy = false,
            // Request bodies leave in large socket writes instead of one per 16 KiB DATA frame.
            ConnectCallback = (context, token) => CoalescingSocketStream.ConnectAsync(context.DnsEndPoint, token),
        };
        if (options.RemoteCertificateValidation is not null)
            handler.SslOptions.RemoteCertificateValidationCallback = options.RemoteCertificateValidation;
        return handler;
    }
}
