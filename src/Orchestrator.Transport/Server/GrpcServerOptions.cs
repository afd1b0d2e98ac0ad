using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Orchestrator.Transport.Server;

public sealed class GrpcServerOptions
{
    public IPAddress ListenAddress { get; set; } = IPAddress.Loopback;

    /// <summary>0: the OS picks a free port; <see cref="GrpcServer.Address"/> tells which.</summary>
    public int Port { get; set; }

    /// <summary>Intermediate certificates sent with <see cref="Certificate"/>, so callers that trust only the root can verify it.</summary>
    public X509Certificate2Collection? CertificateChain { get; set; }

    /// <summary>Serve https (HTTP/2 over TLS) with this certificate; null: cleartext HTTP/2 (h2c, prior knowledge).</summary>
    public X509Certificate2? Certificate { get; set; }

    /// <summary>A larger request message is refused with RESOURCE_EXHAUSTED. gRPC's customary 4 MiB.</summary>
    public int MaxReceiveMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>A handler writing a larger response message gets RESOURCE_EXHAUSTED.</summary>
    public int MaxSendMessageSize { get; set; } = int.MaxValue;

    /// <summary>When set, every call must carry <c>authorization: Bearer &lt;token&gt;</c> or gets UNAUTHENTICATED.</summary>
    public string? BearerToken { get; set; }

    /// <summary>Run in order before every handler, after the bearer-token check.</summary>
    public List<IServerCallInterceptor> Interceptors { get; } = [];

    /// <summary>Put a handler exception's type and message in the UNKNOWN status sent to the caller.</summary>
    public bool EnableDetailedErrors { get; set; }

    // HTTP/2 flow control, raised well above Kestrel's defaults (1 MiB / 768 KiB / 16 KiB) so multi-megabyte
    // tensor chunks stream without waiting on window updates.
    public int InitialConnectionWindowSize { get; set; } = 64 * 1024 * 1024;
    public int InitialStreamWindowSize { get; set; } = 32 * 1024 * 1024;
    public int MaxFrameSize { get; set; } = 1024 * 1024;
    public int MaxStreamsPerConnection { get; set; } = 100;

    /// <summary>
    /// Size of Kestrel's buffer blocks (its own are 4 KiB): a socket receive fills at most one, so tensor streams want
    /// large ones; an idle connection holds one. <see cref="GrpcServer"/> only (an app hosting the dispatcher keeps its own).
    /// </summary>
    public int MemoryBlockSize { get; set; } = 1024 * 1024;

    /// <summary>
    /// Client-streaming methods served on the connection's read loop to clients that ask (<see cref="InPlace.InPlaceStreams"/>);
    /// their usual bindings serve everyone else. <see cref="GrpcServer"/> only.
    /// </summary>
    public List<InPlace.InPlaceClientStreamingMethod> InPlaceMethods { get; } = [];

    /// <summary>How long stopping waits for calls in flight before cutting them off.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Throws naming the first setting that is out of range.</summary>
    public void Validate()
    {
        Require(Port is >= 0 and <= 65535, nameof(Port), Port, "0 to 65535");
        Require(MaxReceiveMessageSize > 0, nameof(MaxReceiveMessageSize), MaxReceiveMessageSize, "positive");
        Require(MaxSendMessageSize > 0, nameof(MaxSendMessageSize), MaxSendMessageSize, "positive");
        Require(InitialConnectionWindowSize >= 65535, nameof(InitialConnectionWindowSize), InitialConnectionWindowSize, "at least 65535");
        Require(InitialStreamWindowSize >= 65535, nameof(InitialStreamWindowSize), InitialStreamWindowSize, "at least 65535");
        Require(MaxFrameSize is >= 16384 and <= 16777215, nameof(MaxFrameSize), MaxFrameSize, "16384 to 16777215 (HTTP/2)");
        Require(MemoryBlockSize is >= 4096 and <= 64 * 1024 * 1024, nameof(MemoryBlockSize), MemoryBlockSize, "4 KiB to 64 MiB");
        Require(MaxStreamsPerConnection > 0, nameof(MaxStreamsPerConnection), MaxStreamsPerConnection, "positive");
        Require(ShutdownTimeout >= TimeSpan.Zero, nameof(ShutdownTimeout), ShutdownTimeout, "not negative");
        if (BearerToken is not null && string.IsNullOrWhiteSpace(BearerToken))
            throw new ArgumentException($"{nameof(GrpcServerOptions)}.{nameof(BearerToken)} is blank; leave it null to turn authentication off");
    }

    private static void Require(bool ok, string name, object value, string range)
    {
        if (!ok) throw new ArgumentOutOfRangeException(name, value, $"{nameof(GrpcServerOptions)}.{name} must be {range}");
    }
}
