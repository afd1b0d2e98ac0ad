using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Transport.Http2;

namespace Orchestrator.Transport.Server.InPlace;

/// <summary>
/// Serves <see cref="GrpcServerOptions.InPlaceMethods"/> on a port of its own, without Kestrel: a thread per
/// connection reads frames with blocking calls and drives an in-place HTTP/2 connection from them, each request
/// message received straight into a buffer of its own and handed to its call on that thread. For bulk pushes from a
/// few long-lived peers (the all-reduce's ring neighbours): no pipe, no thread-pool hop and no epoll between the
/// bytes arriving and the call seeing them.
/// Any gRPC client can call it, over h2c, or over TLS with <see cref="GrpcServerOptions.Certificate"/>; other methods
/// answer UNIMPLEMENTED.
/// </summary>
public sealed class InPlaceLaneServer : IDisposable
{
    private readonly Socket _listener;
    private readonly GrpcServerOptions _options;
    private readonly Dictionary<string, InPlaceClientStreamingMethod> _methods;
    private readonly BearerTokenInterceptor? _authentication;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly HashSet<Socket> _connections = [];
    private readonly Thread _acceptor;
    private readonly SslStreamCertificateContext? _certificate;
    private bool _disposed;

    /// <summary>Listens on <paramref name="endpoint"/> (loopback, any free port, by default) and starts accepting.</summary>
    public InPlaceLaneServer(GrpcServerOptions options, IPEndPoint? endpoint = null)
    {
        options.Validate();
        if (options.InPlaceMethods.Count == 0) throw new ArgumentException("a lane server needs in-place methods to serve", nameof(options));
        _options = options;
        _methods = options.InPlaceMethods.ToDictionary(m => m.FullName, StringComparer.Ordinal);
        _authentication = options.BearerToken is null ? null : new BearerTokenInterceptor(options.BearerToken);
        _certificate = options.Certificate is null ? null : SslStreamCertificateContext.Create(options.Certificate, options.CertificateChain);
        _logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<InPlaceLaneServer>();
        endpoint ??= new IPEndPoint(IPAddress.Loopback, 0);
        _listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            _listener.Bind(endpoint);
            _listener.Listen(64);
        }
        catch
        {
            _listener.Dispose();
            throw;
        }
        var bound = (IPEndPoint)_listener.LocalEndPoint!;
        string host = bound.Address.Equals(IPAddress.Any) || bound.Address.Equals(IPAddress.IPv6Any) ? "localhost" : bound.Address.ToString();
        Address = new UriBuilder(options.Certificate is null ? Uri.UriSchemeHttp : Uri.UriSchemeHttps, host, bound.Port).Uri;
        _acceptor = new Thread(Accept) { IsBackground = true, Name = $"lane accept :{bound.Port}" };
        _acceptor.Start();
    }

    /// <summary>Where clients reach it (the bound address; localhost when bound to every interface).</summary>
    public Uri Address { get; }

    /// <summary>Stops accepting and closes every connection: calls in flight end, their clients see the connection go.</summary>
    public void Dispose()
    {
        Socket[] open;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            open = [.. _connections];
        }
        _listener.Dispose();
        foreach (Socket socket in open) socket.Dispose();
        _acceptor.Join(TimeSpan.FromSeconds(5));
    }

    private void Accept()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = _listener.Accept();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
            socket.NoDelay = true;
            // Read while nothing else can dispose the socket: Dispose closes the connections it knows.
            string client = socket.RemoteEndPoint?.ToString() ?? "an unknown client";
            lock (_gate)
            {
                if (_disposed)
                {
                    socket.Dispose();
                    return;
                }
                _connections.Add(socket);
            }
            new Thread(() => Serve(socket, client)) { IsBackground = true, Name = $"lane {client}" }.Start();
        }
    }

    /// <summary>A connection's thread: whatever happens to the connection, nothing escapes it to take the process down.</summary>
    private void Serve(Socket socket, string client)
    {
        try
        {
            ServeConnection(socket, client);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "lane connection from {Client} failed while ending", client);
        }
    }

    private void ServeConnection(Socket socket, string client)
    {
        Stream? transport = null;
        InPlaceHttp2Connection? connection = null;
        BlockingFrameWriter? output = null;
        try
        {
            transport = _certificate is null ? new NetworkStream(socket, ownsSocket: false) : Secure(socket);
            var reader = new BlockingFrameReader(transport, () => Shutdown(socket));
            output = new BlockingFrameWriter(transport);
            connection = new InPlaceHttp2Connection(output, _options, _methods, _authentication, _logger);
            if (!reader.ReadPreface()) throw new IOException("the client's first bytes are not the HTTP/2 preface");
            connection.Start();
            output.Flush();
            while (reader.ReadFrameHeader() is Http2Frame frame)
            {
                if (frame.Length > InPlaceStreams.MaxFrameSize)
                    throw new HttpProtocolException(0x6, $"a {frame.Type} frame of {frame.Length} bytes, above the {InPlaceStreams.MaxFrameSize} allowed (FRAME_SIZE_ERROR)", null);
                if (frame.Type == Http2FrameType.Data)
                {
                    connection.CheckInterleaving(frame);
                    reader.BeginPayload(frame.Length);
                    connection.OnData(frame, reader);
                    reader.SkipRest();
                }
                else connection.OnFrame(frame, reader.ReadPayload(frame.Length));
                if (output.HasPending) output.Flush();
            }
            // Closed between frames: calls still open (a message landing among them) end with the connection.
            connection.End(new ConnectionLostException("the client closed the connection"));
        }
        catch (Exception e)
        {
            if (connection is null) _logger.LogDebug(e, "lane connection from {Client} ended before HTTP/2 began", client);
            else if (connection.End(e)) TryFlush(output!);
        }
        finally
        {
            lock (_gate) _connections.Remove(socket);
            transport?.Dispose();
            socket.Dispose();
        }
    }

    private SslStream Secure(Socket socket)
    {
        var tls = new SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: false);
        tls.AuthenticateAsServer(new SslServerAuthenticationOptions
        {
            ServerCertificateContext = _certificate,
            ApplicationProtocols = [SslApplicationProtocol.Http2],
        });
        return tls;
    }

    private static void Shutdown(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Closed already.
        }
    }

    private static void TryFlush(BlockingFrameWriter output)
    {
        try
        {
            output.Flush();
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // The client is gone already.
        }
    }
}
