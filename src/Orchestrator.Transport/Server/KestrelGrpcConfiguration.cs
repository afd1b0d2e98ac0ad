using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Transport.Server.InPlace;

namespace Orchestrator.Transport.Server;

/// <summary>Kestrel settings for gRPC: HTTP/2 only, no body-size or data-rate limits (streams are long), raised windows.</summary>
public static class KestrelGrpcConfiguration
{
    public static void Apply(KestrelServerOptions kestrel, GrpcServerOptions options)
    {
        options.Validate();
        kestrel.AddServerHeader = false;
        kestrel.Limits.MaxRequestBodySize = null;
        kestrel.Limits.MinRequestBodyDataRate = null;
        kestrel.Limits.MinResponseDataRate = null;
        kestrel.Limits.Http2.InitialConnectionWindowSize = options.InitialConnectionWindowSize;
        kestrel.Limits.Http2.InitialStreamWindowSize = options.InitialStreamWindowSize;
        kestrel.Limits.Http2.MaxFrameSize = options.MaxFrameSize;
        kestrel.Limits.Http2.MaxStreamsPerConnection = options.MaxStreamsPerConnection;
        if (options.InPlaceMethods.Count > 0)
        {
            // An in-place connection holds a whole DATA frame in the transport's pipe before parsing it; its
            // connection window (which the client may not exceed) bounds what it can hold.
            kestrel.Limits.MaxRequestBufferSize = Math.Max(kestrel.Limits.MaxRequestBufferSize ?? 0, (long)options.InitialConnectionWindowSize + InPlaceStreams.MaxFrameSize);
        }
        kestrel.Listen(options.ListenAddress, options.Port, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            if (options.Certificate is not null)
                listen.UseHttps(new HttpsConnectionAdapterOptions { ServerCertificate = options.Certificate, ServerCertificateChain = options.CertificateChain });
            if (options.InPlaceMethods.Count > 0)
            {
                ILogger logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<InPlaceConnectionMiddleware>();
                listen.Use(next => new InPlaceConnectionMiddleware(next, options, options.InPlaceMethods, logger).OnConnectionAsync);
            }
        });
    }
}
