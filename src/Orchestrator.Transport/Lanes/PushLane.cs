using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Orchestrator.Transport.Client;
using Orchestrator.Transport.Http2;
using Orchestrator.Transport.Server.InPlace;
using Orchestrator.Transport.Wire;

namespace Orchestrator.Transport.Lanes;

/// <summary>
/// One HTTP/2 connection (h2c, or TLS) to one server, carrying one client-streaming gRPC call at a time, with blocking
/// I/O: the caller's thread writes each message's frames straight to the socket (header, then the payload from where
/// it lies), and a thread of the lane's own reads what the server sends (settings, window updates, pings, the
/// response and its trailers). For a bulk sender that owns a thread per peer, as a ring all-reduce does: no pipe, no
/// thread-pool hop and no epoll between a chunk being ready and its bytes leaving. Not thread-safe for writers: one
/// thread calls <see cref="Begin"/>, <see cref="Write"/> and <see cref="Finish"/>.
/// </summary>
public sealed class PushLane : IDisposable
{
    private const int DefaultWindow = 65_535;
    private const int ReceiveFrameLimit = 16_384;
    private const int HeaderBlockLimit = 64 * 1024;

    private readonly Socket _socket;
    private readonly Stream _transport;   // the socket's stream, or TLS over it
    private readonly PushLaneOptions _options;
    private readonly string _authority;
    private readonly string _scheme;
    private readonly object _gate = new();     // windows, the call's state, the failure; Monitor-signalled
    private readonly object _writeGate = new(); // whole frames from the caller and the reader's replies
    private readonly byte[] _frameHead = new byte[Http2Frame.HeaderLength + FrameBuffer.HeaderLength];
    private readonly HPackDecoder _decoder = new(4096);
    private readonly Http2HeaderBlock _headerBlock = new(HeaderBlockLimit);
    private readonly Thread _reader;
    private long _connectionSendWindow = DefaultWindow;
    private long _peerInitialWindow = DefaultWindow;
    private int _peerMaxFrameSize = 16_384;
    private int _nextStreamId = 1;
    private LaneCall? _call;
    private Exception? _failure;

    private PushLane(Socket socket, Stream transport, Uri address, PushLaneOptions options)
    {
        _socket = socket;
        _transport = transport;
        _options = options;
        _authority = address.Authority;
        _scheme = address.Scheme;
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = $"push lane {_authority}" };
    }

    /// <summary>False once the connection failed or the server sent GOAWAY: open another lane.</summary>
    public bool IsUsable
    {
        get
        {
            lock (_gate) return _failure is null;
        }
    }

    /// <summary>
    /// Connects (TCP, then TLS with ALPN h2 for https), sends the preface and settings (asking for the server's
    /// in-place methods), and starts reading.
    /// </summary>
    public static PushLane Connect(Uri address, PushLaneOptions options, CancellationToken cancellationToken)
    {
        if (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps)
            throw new ArgumentException($"a push lane speaks HTTP/2 over http:// or https://, not {address}", nameof(address));
        Socket socket;
        Stream transport;
        try
        {
            (socket, transport) = Http2Connector.ConnectAsync(address, options.ConnectTimeout, options.RemoteCertificateValidation, cancellationToken).GetAwaiter().GetResult();
        }
        catch (HttpRequestException e)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, e.Message));
        }
        var lane = new PushLane(socket, transport, address, options);
        try
        {
            lane.SendPreface();
        }
        catch
        {
            transport.Dispose();
            throw;
        }
        lane._reader.Start();
        return lane;
    }

    /// <summary>
    /// Whether a call is open: begun, and ended by neither side. A sender may keep one call open across its uses of
    /// the lane, sparing each the request headers, the end of stream and the server's answer.
    /// </summary>
    public bool InCall
    {
        get
        {
            lock (_gate) return _call is { Done: false } && _failure is null;
        }
    }

    /// <summary>Resets the open call, if any (CANCELLED): a write waiting for the windows throws, and the lane stays usable.</summary>
    public void CancelCall()
    {
        LaneCall? call;
        lock (_gate) call = _call;
        if (call is not null) Cancel(call);
    }

    /// <summary>Starts a client-streaming call of <paramref name="method"/> (its full name, "/package.Service/Method").</summary>
    public void Begin(string method, CancellationToken cancellationToken)
    {
        var block = new ArrayBufferWriter<byte>(256);
        var headers = new List<(string, string)>
        {
            (":method", "POST"), (":scheme", _scheme), (":path", method), (":authority", _authority),
            ("content-type", "application/grpc"), ("te", "trailers"), ("user-agent", _options.UserAgent),
        };
        if (_options.BearerToken is { } token) headers.Add(("authorization", $"Bearer {token}"));
        HPackEncoder.Encode(headers, block);
        LaneCall call;
        lock (_gate)
        {
            ThrowIfFailed();
            if (_call is { Done: false }) throw new InvalidOperationException($"a call on the lane to {_authority} is still open");
            call = new LaneCall(_nextStreamId, _peerInitialWindow, method);
            _nextStreamId += 2;
            _call = call;
        }
        call.Cancellation = cancellationToken.Register(() => Cancel(call));
        // A gRPC request's headers fit one frame of the smallest size HTTP/2 allows.
        if (block.WrittenCount > 16_384) throw new ArgumentException($"the request headers of {method} take {block.WrittenCount} bytes, above one frame");
        WriteFrame(new Http2Frame(block.WrittenCount, Http2FrameType.Headers, Http2Frame.EndHeaders, call.StreamId), block.WrittenSpan);
    }

    /// <summary>
    /// Sends one gRPC message, <paramref name="head"/> then <paramref name="tail"/>, in DATA frames as large as the
    /// server allows, waiting for its windows to open. Throws <see cref="RpcException"/> with the call's status once
    /// the server has ended it, or the connection failed.
    /// </summary>
    public void Write(ReadOnlySpan<byte> head, ReadOnlySpan<byte> tail)
    {
        LaneCall call = Current();
        Span<byte> prefix = stackalloc byte[FrameBuffer.HeaderLength];
        prefix[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(prefix[1..], (uint)(head.Length + tail.Length));
        int total = FrameBuffer.HeaderLength + head.Length + tail.Length, sent = 0;
        while (sent < total)
        {
            int length = ReserveWindow(call, total - sent);
            lock (_writeGate)
            {
                ThrowIfUnsendable(call);
                new Http2Frame(length, Http2FrameType.Data, 0, call.StreamId).Write(_frameHead);
                int at = Http2Frame.HeaderLength;
                // The frame's share of prefix and head goes with its header in one send, the tail's from where it lies.
                int end = sent + length;
                for (int i = sent; i < Math.Min(end, FrameBuffer.HeaderLength); i++) _frameHead[at++] = prefix[i];
                Send(_frameHead.AsSpan(0, at));
                int headStart = Math.Max(sent - FrameBuffer.HeaderLength, 0), headEnd = Math.Clamp(end - FrameBuffer.HeaderLength, 0, head.Length);
                if (headEnd > headStart) Send(head[headStart..headEnd]);
                int tailStart = Math.Max(sent - FrameBuffer.HeaderLength - head.Length, 0), tailEnd = Math.Max(end - FrameBuffer.HeaderLength - head.Length, 0);
                if (tailEnd > tailStart) Send(tail[tailStart..tailEnd]);
            }
            sent += length;
        }
    }

    /// <summary>
    /// Ends the request stream and waits for the server's answer (at most <paramref name="timeout"/>, or until the
    /// call's cancellation): its response message, or its status as an <see cref="RpcException"/>.
    /// </summary>
    public byte[] Finish(TimeSpan timeout)
    {
        LaneCall call = Current();
        lock (_writeGate)
        {
            ThrowIfUnsendable(call);
            WriteFrame(new Http2Frame(0, Http2FrameType.Data, Http2Frame.EndStream, call.StreamId), []);
        }
        lock (_gate)
        {
            DateTime? until = timeout == Timeout.InfiniteTimeSpan ? null : DateTime.UtcNow + timeout;
            while (!call.Done)
            {
                TimeSpan left = until is { } end ? end - DateTime.UtcNow : Timeout.InfiniteTimeSpan;
                if (until is not null && left <= TimeSpan.Zero)
                {
                    Complete(call, new Status(StatusCode.DeadlineExceeded, $"{call.Method} on {_authority}: no answer within {timeout}"));
                    break;
                }
                Monitor.Wait(_gate, left);
            }
        }
        call.Cancellation.Dispose();
        if (call.Status.StatusCode != StatusCode.OK) throw new RpcException(call.Status);
        return call.Response ?? throw new RpcException(new Status(StatusCode.Internal, $"{call.Method} on {_authority} ended OK without a response message"));
    }

    public void Dispose()
    {
        Fail(new ObjectDisposedException(nameof(PushLane)));
        if (_reader.IsAlive) _reader.Join(TimeSpan.FromSeconds(5));
        _transport.Dispose();
    }

    private LaneCall Current()
    {
        lock (_gate) return _call ?? throw new InvalidOperationException("no call is open on the lane; call Begin first");
    }

    private void SendPreface()
    {
        // Preface and SETTINGS: no push, our frame size, the in-place request. Receipts are small: the default windows
        // do, reopened as each DATA frame arrives.
        Span<byte> preface = stackalloc byte[Http2Frame.ClientPreface.Length + Http2Frame.HeaderLength + 3 * Http2Settings.Length];
        Http2Frame.ClientPreface.CopyTo(preface);
        Span<byte> rest = preface[Http2Frame.ClientPreface.Length..];
        new Http2Frame(3 * Http2Settings.Length, Http2FrameType.Settings, 0, 0).Write(rest);
        Http2Settings.Write(rest[9..], Http2Settings.EnablePush, 0);
        Http2Settings.Write(rest[15..], Http2Settings.MaxFrameSize, ReceiveFrameLimit);
        Http2Settings.Write(rest[21..], InPlaceStreams.SettingId, 1);
        lock (_writeGate) Send(preface);
    }

    /// <summary>Waits until the windows hold at least one byte, then takes up to <paramref name="wanted"/> of them (and at most one frame).</summary>
    private int ReserveWindow(LaneCall call, int wanted)
    {
        lock (_gate)
        {
            while (true)
            {
                ThrowIfUnsendable(call);
                long open = Math.Min(Math.Min(_connectionSendWindow, call.SendWindow), _peerMaxFrameSize);
                if (open > 0)
                {
                    int length = (int)Math.Min(open, wanted);
                    _connectionSendWindow -= length;
                    call.SendWindow -= length;
                    return length;
                }
                Monitor.Wait(_gate);
            }
        }
    }

    private void ThrowIfFailed()
    {
        if (_failure is not null) throw new RpcException(StatusMapping.FromException(_failure));
    }

    private void ThrowIfUnsendable(LaneCall call)
    {
        lock (_gate)
        {
            if (call.Done) throw new RpcException(call.Status);
            ThrowIfFailed();
        }
    }

    private void ReadLoop()
    {
        var header = new byte[Http2Frame.HeaderLength];
        var payload = new byte[ReceiveFrameLimit];
        try
        {
            while (true)
            {
                ReceiveExactly(header);
                Http2Frame frame = Http2Frame.Read(header);
                if (frame.Length > ReceiveFrameLimit)
                    throw new HttpProtocolException(0x6, $"a {frame.Type} frame of {frame.Length} bytes, above the {ReceiveFrameLimit} allowed (FRAME_SIZE_ERROR)", null);
                ReceiveExactly(payload.AsSpan(0, frame.Length));
                Handle(frame, new ReadOnlySequence<byte>(payload, 0, frame.Length));
            }
        }
        catch (Exception e)
        {
            if (e is HttpProtocolException protocol) TrySendGoAway(protocol.ErrorCode);
            Fail(e);
        }
    }

    private void Handle(Http2Frame frame, ReadOnlySequence<byte> payload)
    {
        _headerBlock.CheckInterleaving(frame);
        switch (frame.Type)
        {
            case Http2FrameType.Settings when !frame.Has(Http2Frame.Ack):
                ApplySettings(payload);
                WriteFrame(new Http2Frame(0, Http2FrameType.Settings, Http2Frame.Ack, 0), []);
                break;
            case Http2FrameType.Ping when !frame.Has(Http2Frame.Ack):
                WriteFrame(new Http2Frame(8, Http2FrameType.Ping, Http2Frame.Ack, 0), payload.ToArray());
                break;
            case Http2FrameType.WindowUpdate:
                OnWindowUpdate(frame, payload);
                break;
            case Http2FrameType.Headers or Http2FrameType.Continuation:
                if (_headerBlock.Add(frame, payload) is byte[] block) OnHeaders(_headerBlock.Start, _decoder.Decode(block));
                break;
            case Http2FrameType.Data:
                OnData(frame, Http2FrameReading.Unpadded(frame, payload));
                break;
            case Http2FrameType.RstStream:
                if (payload.Length != 4) throw new HttpProtocolException(0x6, "an RST_STREAM frame not 4 bytes long", null);
                lock (_gate)
                    if (Find(frame.StreamId) is { } reset) Complete(reset, StatusMapping.FromHttp2Error(Http2FrameReading.ReadUInt32(payload)));
                break;
            case Http2FrameType.GoAway:
                throw new IOException($"{_authority} sent GOAWAY (error code 0x{(payload.Length >= 8 ? Http2FrameReading.ReadUInt32(payload.Slice(4)) : 0):X})");
            case Http2FrameType.PushPromise:
                throw new HttpProtocolException(0x1, "a PUSH_PROMISE, which this client disabled", null);
        }
    }

    private void ApplySettings(ReadOnlySequence<byte> payload)
    {
        lock (_gate)
        {
            foreach (var (id, value) in Http2Settings.Read(payload))
            {
                if (id == Http2Settings.InitialWindowSize)
                {
                    long window = Http2Settings.CheckedInitialWindow(value);
                    if (_call is { Done: false } open) open.SendWindow += window - _peerInitialWindow;
                    _peerInitialWindow = window;
                }
                else if (id == Http2Settings.MaxFrameSize) _peerMaxFrameSize = Http2Settings.CheckedMaxFrameSize(value);
            }
            Monitor.PulseAll(_gate);
        }
    }

    private void OnWindowUpdate(Http2Frame frame, ReadOnlySequence<byte> payload)
    {
        if (payload.Length != 4) throw new HttpProtocolException(0x6, "a WINDOW_UPDATE frame not 4 bytes long", null);
        long increment = Http2FrameReading.ReadUInt32(payload) & 0x7FFFFFFF;
        if (increment == 0) throw new HttpProtocolException(0x1, "a WINDOW_UPDATE of 0", null);
        lock (_gate)
        {
            if (frame.StreamId == 0)
            {
                _connectionSendWindow += increment;
                if (_connectionSendWindow > int.MaxValue) throw new HttpProtocolException(0x3, "the connection window above 2^31-1 (FLOW_CONTROL_ERROR)", null);
            }
            else if (Find(frame.StreamId) is { } call) call.SendWindow += increment;
            Monitor.PulseAll(_gate);
        }
    }

    private void OnHeaders(Http2Frame start, List<(string Name, string Value)> fields)
    {
        lock (_gate)
        {
            if (Find(start.StreamId) is not { } call) return;
            string? Field(string name) => fields.FirstOrDefault(f => f.Name == name).Value;
            if (!call.SawHeaders && Field(":status") is { } status)
            {
                call.SawHeaders = true;
                if (status != "200")
                {
                    Complete(call, StatusMapping.FromHttpStatus((HttpStatusCode)int.Parse(status, System.Globalization.CultureInfo.InvariantCulture)));
                    return;
                }
                if (!GrpcProtocol.IsGrpcContentType(Field("content-type")))
                {
                    Complete(call, new Status(StatusCode.Internal, $"{call.Method} on {_authority} answered content-type '{Field("content-type")}', not application/grpc"));
                    return;
                }
            }
            if (!start.Has(Http2Frame.EndStream)) return;
            Complete(call, Field("grpc-status") is { } code && int.TryParse(code, out int value)
                ? new Status((StatusCode)value, PercentEncoding.Decode(Field("grpc-message") ?? ""))
                : new Status(StatusCode.Internal, $"{call.Method} on {_authority} ended without a grpc-status"));
        }
    }

    private void OnData(Http2Frame frame, ReadOnlySequence<byte> data)
    {
        if (frame.Length > 0)
        {
            // Receipts are small: each frame's bytes are handed back at once, on the connection and the stream.
            Span<byte> update = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(update, (uint)frame.Length);
            WriteFrame(new Http2Frame(4, Http2FrameType.WindowUpdate, 0, 0), update);
            WriteFrame(new Http2Frame(4, Http2FrameType.WindowUpdate, 0, frame.StreamId), update);
        }
        lock (_gate)
        {
            if (Find(frame.StreamId) is not { } call) return;
            call.Received.Write(data.ToArray());
            if (call.Received.WrittenCount > _options.MaxReceiveMessageSize + FrameBuffer.HeaderLength)
            {
                Complete(call, new Status(StatusCode.ResourceExhausted, $"{call.Method} on {_authority}: a response above {_options.MaxReceiveMessageSize} bytes"));
                return;
            }
            if (call.Response is null && call.Received.WrittenCount >= FrameBuffer.HeaderLength)
            {
                ReadOnlySpan<byte> received = call.Received.WrittenSpan;
                int length = (int)BinaryPrimitives.ReadUInt32BigEndian(received[1..]);
                if (received[0] != 0) Complete(call, new Status(StatusCode.Internal, $"{call.Method} on {_authority}: a compressed response, which this client did not ask for"));
                else if (received.Length >= FrameBuffer.HeaderLength + length) call.Response = received.Slice(FrameBuffer.HeaderLength, length).ToArray();
            }
            if (frame.Has(Http2Frame.EndStream) && !call.Done)
                Complete(call, new Status(StatusCode.Internal, $"{call.Method} on {_authority} ended without trailers"));
        }
    }

    private LaneCall? Find(int streamId) => _call is { Done: false } call && call.StreamId == streamId ? call : null;

    private void Complete(LaneCall call, Status status)
    {
        lock (_gate)
        {
            if (call.Done) return;
            call.Status = status;
            call.Done = true;
            Monitor.PulseAll(_gate);
        }
    }

    private void Cancel(LaneCall call)
    {
        lock (_gate)
        {
            if (call.Done) return;
            Complete(call, new Status(StatusCode.Cancelled, "Call canceled by the client."));
        }
        Span<byte> code = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(code, 0x8);
        try
        {
            WriteFrame(new Http2Frame(4, Http2FrameType.RstStream, 0, call.StreamId), code);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or RpcException)
        {
            // The connection is gone: the server drops the stream with it.
        }
    }

    private void Fail(Exception reason)
    {
        lock (_gate)
        {
            _failure ??= reason;
            if (_call is { Done: false } call) call.Status = StatusMapping.FromException(_failure);
            if (_call is not null) _call.Done = true;
            Monitor.PulseAll(_gate);
        }
        // Closing the socket, not the stream: the reading thread may be inside the stream, which is not to be disposed under it.
        _socket.Dispose();
    }

    private void TrySendGoAway(long errorCode)
    {
        Span<byte> payload = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(payload[4..], (uint)errorCode);
        try
        {
            WriteFrame(new Http2Frame(8, Http2FrameType.GoAway, 0, 0), payload);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or RpcException)
        {
        }
    }

    private void WriteFrame(Http2Frame frame, ReadOnlySpan<byte> payload)
    {
        Span<byte> header = stackalloc byte[Http2Frame.HeaderLength];
        frame.Write(header);
        lock (_writeGate)
        {
            Send(header);
            if (!payload.IsEmpty) Send(payload);
        }
    }

    private void Send(ReadOnlySpan<byte> bytes)
    {
        try
        {
            _transport.Write(bytes);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            Fail(new IOException($"sending to {_authority} failed: {e.Message}", e));
            lock (_gate) ThrowIfFailed();
            throw;
        }
    }

    private void ReceiveExactly(Span<byte> into)
    {
        while (!into.IsEmpty)
        {
            int read;
            try
            {
                read = _transport.Read(into);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                throw new IOException($"receiving from {_authority} failed: {e.Message}", e);
            }
            if (read == 0) throw new IOException($"{_authority} closed the connection");
            into = into[read..];
        }
    }

    /// <summary>The lane's one open call: its stream, window and what the server has answered.</summary>
    private sealed class LaneCall(int streamId, long sendWindow, string method)
    {
        public int StreamId { get; } = streamId;

        public string Method { get; } = method;

        public CancellationTokenRegistration Cancellation { get; set; }

        public long SendWindow { get; set; } = sendWindow;

        public bool SawHeaders { get; set; }

        public ArrayBufferWriter<byte> Received { get; } = new(64);

        public byte[]? Response { get; set; }

        public Status Status { get; set; } = Status.DefaultSuccess;

        public bool Done { get; set; }
    }
}
