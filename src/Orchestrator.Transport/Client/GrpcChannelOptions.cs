using System.Net.Security;

namespace Orchestrator.Transport.Client;

public sealed class GrpcChannelOptions
{
    /// <summary>A larger response message fails the call with RESOURCE_EXHAUSTED. gRPC's customary 4 MiB.</summary>
    public int MaxReceiveMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>A larger request message fails the call with RESOURCE_EXHAUSTED before it is sent.</summary>
    public int MaxSendMessageSize { get; set; } = int.MaxValue;

    /// <summary>HTTP/2 receive window per stream, raised from SocketsHttpHandler's 64 KiB for multi-megabyte tensor chunks.</summary>
    public int InitialHttp2StreamWindowSize { get; set; } = 16 * 1024 * 1024;

    /// <summary>Open another connection when one reaches the server's concurrent-stream limit, instead of queueing calls.</summary>
    public bool EnableMultipleHttp2Connections { get; set; } = true;

    /// <summary>A server that does not accept the connection in this time fails the call with UNAVAILABLE.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>HTTP/2 keep-alive pings while calls are active; infinite: none.</summary>
    public TimeSpan KeepAlivePingDelay { get; set; } = Timeout.InfiniteTimeSpan;

    public TimeSpan KeepAlivePingTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Sent as <c>authorization: Bearer &lt;token&gt;</c> on every call that does not set its own authorization.</summary>
    public string? BearerToken { get; set; }

    /// <summary>For https: decides whether to trust the server's certificate (e.g. pin a self-signed one). Null: the system's trust.</summary>
    public RemoteCertificateValidationCallback? RemoteCertificateValidation { get; set; }

    public string UserAgent { get; set; } = "orchestrator-grpc/1.0";

    /// <summary>
    /// Send through the transport's own HTTP/2 client (<c>Http2/</c>) instead of SocketsHttpHandler: a request body
    /// leaves in DATA frames as large as the server's MAX_FRAME_SIZE and the windows allow, written from the caller's
    /// buffers, where SocketsHttpHandler copies it into 16 KiB frames. For bulk tensor streams (the all-reduce's
    /// peer channels). It sends no keep-alive pings.
    /// </summary>
    public bool DirectHttp2 { get; set; }

    /// <summary>
    /// Ask servers to serve this channel's connections through their in-place methods
    /// (<see cref="Server.InPlace.InPlaceClientStreamingMethod"/>): request messages parsed where they land, on the
    /// connection's read loop. Such a connection answers UNIMPLEMENTED to any other method, so only a channel that
    /// calls nothing else asks; a server without in-place methods serves it as usual. Needs <see cref="DirectHttp2"/>.
    /// </summary>
    public bool AskInPlace { get; set; }

    /// <summary>A copy to change for another channel.</summary>
    public GrpcChannelOptions Clone() => (GrpcChannelOptions)MemberwiseClone();

    /// <summary>Throws naming the first setting that is out of range.</summary>
    public void Validate()
    {
        Require(MaxReceiveMessageSize > 0, nameof(MaxReceiveMessageSize), MaxReceiveMessageSize, "positive");
        Require(MaxSendMessageSize > 0, nameof(MaxSendMessageSize), MaxSendMessageSize, "positive");
        Require(InitialHttp2StreamWindowSize >= 65535, nameof(InitialHttp2StreamWindowSize), InitialHttp2StreamWindowSize, "at least 65535");
        Require(ConnectTimeout > TimeSpan.Zero || ConnectTimeout == Timeout.InfiniteTimeSpan, nameof(ConnectTimeout), ConnectTimeout, "positive or infinite");
        Require(KeepAlivePingDelay > TimeSpan.Zero || KeepAlivePingDelay == Timeout.InfiniteTimeSpan, nameof(KeepAlivePingDelay), KeepAlivePingDelay, "positive or infinite");
        Require(KeepAlivePingTimeout > TimeSpan.Zero || KeepAlivePingTimeout == Timeout.InfiniteTimeSpan, nameof(KeepAlivePingTimeout), KeepAlivePingTimeout, "positive or infinite");
        if (DirectHttp2 && KeepAlivePingDelay != Timeout.InfiniteTimeSpan)
            throw new ArgumentException($"{nameof(GrpcChannelOptions)}.{nameof(KeepAlivePingDelay)} needs SocketsHttpHandler; the direct HTTP/2 client ({nameof(DirectHttp2)}) sends no keep-alive pings");
        if (AskInPlace && !DirectHttp2)
            throw new ArgumentException($"{nameof(GrpcChannelOptions)}.{nameof(AskInPlace)} needs the direct HTTP/2 client ({nameof(DirectHttp2)})");
        if (BearerToken is not null && string.IsNullOrWhiteSpace(BearerToken))
            throw new ArgumentException($"{nameof(GrpcChannelOptions)}.{nameof(BearerToken)} is blank; leave it null to send none");
    }

    private static void Require(bool ok, string name, object value, string range)
    {
        if (!ok) throw new ArgumentOutOfRangeException(name, value, $"{nameof(GrpcChannelOptions)}.{name} must be {range}");
    }
}
