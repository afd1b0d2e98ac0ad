using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging;
using Orchestrator.Transport.Http2;
using Orchestrator.Transport.Wire;

namespace Orchestrator.Transport.Server.InPlace;

/// <summary>
/// The server side of an HTTP/2 connection that asked for in-place methods: one loop parses frames where they lie in
/// the transport's input pipe and hands each gRPC request message to its call before the bytes are released. It
/// speaks only what a client-streaming gRPC call needs: streams opened by HEADERS (and CONTINUATION), DATA under flow
/// control, SETTINGS, PING, WINDOW_UPDATE, RST_STREAM and GOAWAY. A protocol error ends the connection with GOAWAY;
/// a bad call ends only its stream, with a gRPC status. Kestrel's connections drive it from their input pipe
/// (<see cref="RunAsync"/>); <see cref="InPlaceLaneServer"/>'s drive it frame by frame from a blocking socket, and
/// DATA is pulled by the stream that knows where its bytes go (<see cref="OnData(Http2Frame, IPayloadSource)"/>).
/// </summary>
internal sealed class InPlaceHttp2Connection(PipeWriter output, GrpcServerOptions options, IReadOnlyDictionary<string, InPlaceClientStreamingMethod> methods,
    BearerTokenInterceptor? authentication, ILogger logger)
{
    private const int DefaultWindow = 65_535;
    private const int MaxHeaderBlock = 64 * 1024;

    private readonly PipeWriter _output = output;
    private readonly HPackDecoder _decoder = new(4096);
    private readonly Dictionary<int, CallStream> _streams = [];
    private readonly List<(CallStream Stream, byte[] Message, Status Status)> _waitingForWindow = [];
    private int _lastStreamId;
    private long _connectionSendWindow = DefaultWindow;
    private long _peerInitialWindow = DefaultWindow;
    private int _peerMaxFrameSize = 16_384;
    private long _connectionUnacknowledged;
    private readonly Http2HeaderBlock _headerBlock = new(MaxHeaderBlock);
    private bool _draining;

    /// <summary>Runs until the client closes, a protocol error, or <paramref name="closeRequested"/> once no call is open.</summary>
    public async Task RunAsync(PipeReader input, CancellationToken closeRequested)
    {
        using CancellationTokenRegistration drain = closeRequested.Register(() => input.CancelPendingRead());
        try
        {
            WriteServerPreface();
            await _output.FlushAsync().ConfigureAwait(false);
            await SkipClientPrefaceAsync(input).ConfigureAwait(false);
            while (true)
            {
                ReadResult read = await input.ReadAsync().ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = read.Buffer;
                try
                {
                    while (Http2FrameReading.TryRead(ref buffer, InPlaceStreams.MaxFrameSize, out Http2Frame frame, out ReadOnlySequence<byte> payload)) OnFrame(frame, payload);
                }
                finally
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                }
                if (read.IsCanceled && !_draining)
                {
                    _draining = true;
                    WriteGoAway(0x0);
                }
                await _output.FlushAsync().ConfigureAwait(false);
                if (read.IsCompleted || (_draining && _streams.Count == 0)) break;
            }
        }
        catch (Exception e)
        {
            if (End(e)) await _output.FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            await input.CompleteAsync().ConfigureAwait(false);
            await _output.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Starts a connection driven frame by frame: the server's SETTINGS, to be flushed; the client's preface was read.</summary>
    public void Start() => WriteServerPreface();

    /// <summary>
    /// The connection ends with <paramref name="reason"/>: every stream is dropped, and a GOAWAY saying why is written
    /// when the client can still read it (true: flush the output).
    /// </summary>
    public bool End(Exception reason)
    {
        foreach (CallStream stream in _streams.Values) stream.Drop(reason);
        _streams.Clear();
        switch (reason)
        {
            case HttpProtocolException e:
                logger.LogDebug("in-place HTTP/2 connection: {Problem} (error 0x{Code:X})", e.Message, e.ErrorCode);
                WriteGoAway(e.ErrorCode);
                return true;
            case IOException or OperationCanceledException or ObjectDisposedException or System.Net.Sockets.SocketException
                or Microsoft.AspNetCore.Connections.ConnectionResetException:
                logger.LogDebug(reason, "in-place HTTP/2 connection ended");
                return false;
            default:
                // A bug here must not take the process down: the connection ends, the client sees it go away.
                logger.LogError(reason, "in-place HTTP/2 connection failed");
                WriteGoAway(0x2);
                return true;
        }
    }

    private void WriteServerPreface()
    {
        Span<byte> settings = stackalloc byte[3 * Http2Settings.Length];
        Http2Settings.Write(settings, Http2Settings.MaxConcurrentStreams, (uint)options.MaxStreamsPerConnection);
        Http2Settings.Write(settings[6..], Http2Settings.InitialWindowSize, (uint)options.InitialStreamWindowSize);
        Http2Settings.Write(settings[12..], Http2Settings.MaxFrameSize, InPlaceStreams.MaxFrameSize);
        WriteFrame(new Http2Frame(settings.Length, Http2FrameType.Settings, 0, 0), settings);
        WriteWindowUpdate(0, options.InitialConnectionWindowSize - DefaultWindow);
    }

    /// <summary>The middleware has seen the preface; the client's first SETTINGS follows it and is read as any frame.</summary>
    private static async Task SkipClientPrefaceAsync(PipeReader input)
    {
        ReadResult read = await input.ReadAtLeastAsync(Http2Frame.ClientPreface.Length).ConfigureAwait(false);
        if (read.Buffer.Length < Http2Frame.ClientPreface.Length) throw new IOException("the connection closed inside the client preface");
        input.AdvanceTo(read.Buffer.GetPosition(Http2Frame.ClientPreface.Length));
    }

    /// <summary>A PROTOCOL_ERROR when <paramref name="frame"/> comes inside a header block without continuing it.</summary>
    public void CheckInterleaving(Http2Frame frame) => _headerBlock.CheckInterleaving(frame);

    /// <summary>Any frame but a DATA frame being pulled, its payload whole.</summary>
    public void OnFrame(Http2Frame frame, ReadOnlySequence<byte> payload)
    {
        _headerBlock.CheckInterleaving(frame);
        switch (frame.Type)
        {
            case Http2FrameType.Data:
                OnData(frame, payload);
                break;
            case Http2FrameType.Headers or Http2FrameType.Continuation:
                if (frame.StreamId == 0) throw new HttpProtocolException(0x1, $"a {frame.Type} frame on stream 0", null);
                // Decoded in order whatever becomes of the stream: the dynamic table must stay in step with the client's.
                if (_headerBlock.Add(frame, payload) is { } block) OnHeaders(_headerBlock.Start, _decoder.Decode(block));
                break;
            case Http2FrameType.Settings:
                OnSettings(frame, payload);
                break;
            case Http2FrameType.Ping:
                if (frame.StreamId != 0) throw new HttpProtocolException(0x1, "a PING frame on a stream", null);
                if (frame.Length != 8) throw new HttpProtocolException(0x6, $"a PING frame of {frame.Length} bytes", null);
                if (!frame.Has(Http2Frame.Ack)) WriteFrame(new Http2Frame(8, Http2FrameType.Ping, Http2Frame.Ack, 0), payload.ToArray());
                break;
            case Http2FrameType.WindowUpdate:
                OnWindowUpdate(frame, payload);
                break;
            case Http2FrameType.RstStream:
                if (frame.StreamId == 0) throw new HttpProtocolException(0x1, "a RST_STREAM frame on stream 0", null);
                if (frame.Length != 4) throw new HttpProtocolException(0x6, $"a RST_STREAM frame of {frame.Length} bytes", null);
                if (frame.StreamId > _lastStreamId) throw new HttpProtocolException(0x1, $"a RST_STREAM frame on idle stream {frame.StreamId}", null);
                if (_streams.Remove(frame.StreamId, out CallStream? reset)) reset.Drop(new RpcException(StatusCode.Cancelled, "the client reset the stream"));
                _waitingForWindow.RemoveAll(w => w.Stream.Id == frame.StreamId);
                break;
            case Http2FrameType.GoAway:
                if (frame.StreamId != 0 || frame.Length < 8) throw new HttpProtocolException(0x1, "a malformed GOAWAY frame", null);
                _draining = true;
                break;
            case Http2FrameType.Priority:
                if (frame.StreamId == 0) throw new HttpProtocolException(0x1, "a PRIORITY frame on stream 0", null);
                if (frame.Length != 5) throw new HttpProtocolException(0x6, $"a PRIORITY frame of {frame.Length} bytes", null);
                break;
            case Http2FrameType.PushPromise:
                throw new HttpProtocolException(0x1, "a PUSH_PROMISE frame from a client", null);
            default:
                break;   // Unknown frame types are ignored (RFC 9113, 5.5).
        }
    }

    private void OnData(Http2Frame frame, ReadOnlySequence<byte> payload)
    {
        if (ReceivingStream(frame) is not { } stream) return;
        ReadOnlySequence<byte> data = Http2FrameReading.Unpadded(frame, payload);
        if (Run(stream, () => stream.Feed(data, options.MaxReceiveMessageSize))) Received(stream, frame);
    }

    /// <summary>
    /// A DATA frame whose payload the stream pulls from <paramref name="source"/>; the caller skips what is left of it
    /// (its padding, or the rest of a frame whose stream was answered or failed).
    /// </summary>
    public void OnData(Http2Frame frame, IPayloadSource source)
    {
        int padding = 0, dataLength = frame.Length;
        if (frame.Has(Http2Frame.Padded))
        {
            if (frame.Length == 0) throw new HttpProtocolException(0x1, "a padded DATA frame without its pad length", null);
            Span<byte> padLength = stackalloc byte[1];
            source.ReadExactly(padLength);
            padding = padLength[0];
            dataLength = frame.Length - 1 - padding;
            if (dataLength < 0) throw new HttpProtocolException(0x1, "a DATA frame whose padding is longer than its payload", null);
        }
        if (ReceivingStream(frame) is not { } stream) return;
        if (Run(stream, () => stream.Pull(source, dataLength, options.MaxReceiveMessageSize))) Received(stream, frame);
    }

    /// <summary>The checks of a DATA frame before its payload; the stream to take it, or null when it is dropped.</summary>
    private CallStream? ReceivingStream(Http2Frame frame)
    {
        if (frame.StreamId == 0) throw new HttpProtocolException(0x1, "a DATA frame on stream 0", null);
        if (frame.StreamId > _lastStreamId) throw new HttpProtocolException(0x1, $"a DATA frame on idle stream {frame.StreamId}", null);
        if (_connectionUnacknowledged + frame.Length > options.InitialConnectionWindowSize)
            throw new HttpProtocolException(0x3, $"the client sent {frame.Length} bytes into a connection window with {options.InitialConnectionWindowSize - _connectionUnacknowledged} left", null);
        _connectionUnacknowledged = Acknowledge(0, _connectionUnacknowledged + frame.Length, options.InitialConnectionWindowSize);
        // A stream this server already answered or reset: frames in flight are dropped (RFC 9113, 5.4.2).
        if (!_streams.TryGetValue(frame.StreamId, out CallStream? stream)) return null;
        if (stream.Unacknowledged + frame.Length > options.InitialStreamWindowSize)
        {
            Reset(stream, 0x3);
            return null;
        }
        return stream;
    }

    /// <summary>A DATA frame was taken in whole: the request ends with it, or its window is counted for reopening.</summary>
    private void Received(CallStream stream, Http2Frame frame)
    {
        if (frame.Has(Http2Frame.EndStream)) Finish(stream);
        else stream.Unacknowledged = Acknowledge(stream.Id, stream.Unacknowledged + frame.Length, options.InitialStreamWindowSize);
    }

    /// <summary>
    /// Every frame is consumed as soon as it is parsed, but its window is reopened only once half the window is
    /// consumed (as Kestrel does): a WINDOW_UPDATE per frame cost a write here and a wake-up of the client's reader
    /// for every chunk. What is still unacknowledged.
    /// </summary>
    private long Acknowledge(int streamId, long unacknowledged, int window)
    {
        if (unacknowledged < window / 2) return unacknowledged;
        WriteWindowUpdate(streamId, (int)unacknowledged);
        return 0;
    }

    private void OnHeaders(Http2Frame frame, List<(string Name, string Value)> fields)
    {
        if (frame.StreamId % 2 == 0) throw new HttpProtocolException(0x1, $"a client stream with the even id {frame.StreamId}", null);
        if (frame.StreamId <= _lastStreamId)
        {
            // Trailers of an open request end it; on a stream already answered they are dropped like its DATA.
            if (!_streams.TryGetValue(frame.StreamId, out CallStream? open)) return;
            if (!frame.Has(Http2Frame.EndStream)) throw new HttpProtocolException(0x1, $"trailers without END_STREAM on stream {frame.StreamId}", null);
            Finish(open);
            return;
        }
        _lastStreamId = frame.StreamId;
        var stream = new CallStream(frame.StreamId, _peerInitialWindow);
        if (_draining || _streams.Count >= options.MaxStreamsPerConnection)
        {
            Reset(stream, 0x7);
            return;
        }
        _streams.Add(stream.Id, stream);
        if (Run(stream, () => stream.Open(Route(fields, stream))) && frame.Has(Http2Frame.EndStream)) Finish(stream);
    }

    /// <summary>The call a request's headers name, after the checks the usual server makes; an RpcException says why not.</summary>
    private InPlaceClientStreamingMethod.IRequestSink Route(List<(string Name, string Value)> fields, CallStream stream)
    {
        string? Field(string name) => fields.FirstOrDefault(f => f.Name == name).Value;
        if (Field(":method") != "POST") throw new RpcException(StatusCode.Internal, $"gRPC calls are POST requests, not {Field(":method")}.");
        if (!GrpcProtocol.IsGrpcContentType(Field("content-type")))
            throw new RpcException(StatusCode.Internal, $"Content-Type '{Field("content-type")}' is not supported; gRPC calls use {GrpcProtocol.ContentType}.");
        if (!GrpcProtocol.IsIdentityEncoding(Field(GrpcProtocol.EncodingHeader)))
            throw new RpcException(StatusCode.Unimplemented, $"Unsupported grpc-encoding value '{Field(GrpcProtocol.EncodingHeader)}'. Supported encodings: {GrpcProtocol.IdentityEncoding}");
        if (Field(GrpcProtocol.TimeoutHeader) is { } timeout)
        {
            if (!GrpcTimeout.TryParse(timeout, out TimeSpan parsed)) throw new RpcException(StatusCode.Internal, $"Malformed grpc-timeout '{timeout}'.");
            stream.Deadline = parsed < DateTime.MaxValue - DateTime.UtcNow ? DateTime.UtcNow + parsed : DateTime.MaxValue;
        }
        authentication?.Check(Field(GrpcProtocol.AuthorizationHeader));
        string path = Field(":path") ?? "";
        return methods.TryGetValue(path, out InPlaceClientStreamingMethod? method)
            ? method.Open()
            : throw new RpcException(StatusCode.Unimplemented, $"Method {path} is unimplemented on a connection served in place.");
    }

    /// <summary>The request stream ended: the call's response, or its status.</summary>
    private void Finish(CallStream stream)
    {
        stream.RequestEnded = true;
        var response = new ArrayBufferWriter<byte>();
        if (Run(stream, () => stream.Complete(response))) Answer(stream, response.WrittenSpan.ToArray(), Status.DefaultSuccess);
    }

    /// <summary>
    /// Runs a step of the call; false when it failed and the stream was answered with its status instead. The call's
    /// own exceptions end its stream as UNKNOWN, as a handler's would, never the connection.
    /// </summary>
    private bool Run(CallStream stream, Action step)
    {
        try
        {
            step();
            return true;
        }
        catch (RpcException e)
        {
            Answer(stream, null, e.Status);
        }
        catch (Exception e) when (e is not ConnectionLostException)
        {
            // (The connection failing under a stream that pulls its DATA is the connection's end, not the call's.)
            logger.LogError(e, "an in-place call of stream {Stream} threw", stream.Id);
            Answer(stream, null, new Status(StatusCode.Unknown, "Exception was thrown by handler."));
        }
        return false;
    }

    /// <summary>
    /// Headers, the message and the status trailers; or, without a message, a Trailers-Only response. A request still
    /// streaming is then told to stop (RST_STREAM NO_ERROR after a complete response, RFC 9113 8.1).
    /// </summary>
    private void Answer(CallStream stream, byte[]? message, Status status)
    {
        Remove(stream, new RpcException(status));
        if (message is not null && !HasWindow(stream, message.Length + FrameBuffer.HeaderLength)) _waitingForWindow.Add((stream, message, status));
        else WriteResponse(stream, message, status);
    }

    private void Remove(CallStream stream, Exception reason)
    {
        _streams.Remove(stream.Id);
        stream.Drop(reason);
    }

    private bool HasWindow(CallStream stream, int length) => _connectionSendWindow >= length && stream.SendWindow >= length;

    private void WriteResponse(CallStream stream, byte[]? message, Status status)
    {
        var trailers = new List<(string, string)>();
        if (message is not null)
        {
            WriteHeaders(stream.Id, [(":status", "200"), ("content-type", GrpcProtocol.ContentType)], endStream: false);
            var data = new byte[FrameBuffer.HeaderLength + message.Length];
            BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(1), (uint)message.Length);
            message.CopyTo(data, FrameBuffer.HeaderLength);
            _connectionSendWindow -= data.Length;
            stream.SendWindow -= data.Length;
            WriteFrame(new Http2Frame(data.Length, Http2FrameType.Data, 0, stream.Id), data);
        }
        else trailers.AddRange([(":status", "200"), ("content-type", GrpcProtocol.ContentType)]);
        trailers.Add((GrpcProtocol.StatusTrailer, ((int)status.StatusCode).ToString(CultureInfo.InvariantCulture)));
        if (!string.IsNullOrEmpty(status.Detail)) trailers.Add((GrpcProtocol.MessageTrailer, PercentEncoding.Encode(status.Detail)));
        WriteHeaders(stream.Id, trailers, endStream: true);
        if (!stream.RequestEnded) WriteRstStream(stream.Id, 0x0);
    }

    private void Reset(CallStream stream, uint errorCode)
    {
        Remove(stream, new HttpProtocolException(errorCode, $"stream {stream.Id} reset with error 0x{errorCode:X}", null));
        WriteRstStream(stream.Id, errorCode);
    }

    private void OnSettings(Http2Frame frame, ReadOnlySequence<byte> payload)
    {
        if (frame.StreamId != 0) throw new HttpProtocolException(0x1, "a SETTINGS frame on a stream", null);
        if (frame.Has(Http2Frame.Ack))
        {
            if (frame.Length != 0) throw new HttpProtocolException(0x6, "a SETTINGS acknowledgement with a payload", null);
            return;
        }
        foreach (var (id, value) in Http2Settings.Read(payload))
        {
            switch (id)
            {
                case Http2Settings.EnablePush when value > 1:
                    throw new HttpProtocolException(0x1, $"SETTINGS_ENABLE_PUSH {value}", null);
                case Http2Settings.InitialWindowSize:
                    long window = Http2Settings.CheckedInitialWindow(value);
                    long delta = window - _peerInitialWindow;
                    _peerInitialWindow = window;
                    foreach (CallStream open in _streams.Values) open.SendWindow += delta;
                    break;
                case Http2Settings.MaxFrameSize:
                    _peerMaxFrameSize = Http2Settings.CheckedMaxFrameSize(value);
                    break;
            }
        }
        WriteFrame(new Http2Frame(0, Http2FrameType.Settings, Http2Frame.Ack, 0), []);
        SendWaitingResponses();
    }

    private void OnWindowUpdate(Http2Frame frame, ReadOnlySequence<byte> payload)
    {
        if (frame.Length != 4) throw new HttpProtocolException(0x6, $"a WINDOW_UPDATE frame of {frame.Length} bytes", null);
        long increment = Http2FrameReading.ReadUInt32(payload) & 0x7FFFFFFF;
        if (frame.StreamId == 0)
        {
            if (increment == 0) throw new HttpProtocolException(0x1, "a connection WINDOW_UPDATE of 0", null);
            _connectionSendWindow += increment;
            if (_connectionSendWindow > int.MaxValue) throw new HttpProtocolException(0x3, "the connection's send window above 2^31-1", null);
        }
        else if (_streams.TryGetValue(frame.StreamId, out CallStream? stream))
        {
            stream.SendWindow += increment;
        }
        else
        {
            var waiting = _waitingForWindow.FindIndex(w => w.Stream.Id == frame.StreamId);
            if (waiting >= 0) _waitingForWindow[waiting].Stream.SendWindow += increment;
        }
        SendWaitingResponses();
    }

    private void SendWaitingResponses()
    {
        for (int i = 0; i < _waitingForWindow.Count; i++)
        {
            var (stream, message, status) = _waitingForWindow[i];
            if (!HasWindow(stream, message.Length + FrameBuffer.HeaderLength)) continue;
            _waitingForWindow.RemoveAt(i--);
            WriteResponse(stream, message, status);
        }
    }

    private void WriteHeaders(int streamId, List<(string Name, string Value)> fields, bool endStream)
    {
        var block = new ArrayBufferWriter<byte>();
        HPackEncoder.Encode(fields, block);
        ReadOnlySpan<byte> rest = block.WrittenSpan;
        bool first = true;
        do
        {
            int length = Math.Min(rest.Length, _peerMaxFrameSize);
            byte flags = (byte)((rest.Length == length ? Http2Frame.EndHeaders : 0) | (first && endStream ? Http2Frame.EndStream : 0));
            WriteFrame(new Http2Frame(length, first ? Http2FrameType.Headers : Http2FrameType.Continuation, flags, streamId), rest[..length]);
            rest = rest[length..];
            first = false;
        }
        while (!rest.IsEmpty);
    }

    private void WriteWindowUpdate(int streamId, int increment)
    {
        if (increment <= 0) return;
        Span<byte> payload = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, (uint)increment);
        WriteFrame(new Http2Frame(4, Http2FrameType.WindowUpdate, 0, streamId), payload);
    }

    private void WriteRstStream(int streamId, uint errorCode)
    {
        Span<byte> payload = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, errorCode);
        WriteFrame(new Http2Frame(4, Http2FrameType.RstStream, 0, streamId), payload);
    }

    private void WriteGoAway(long errorCode)
    {
        Span<byte> payload = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(payload, (uint)_lastStreamId);
        BinaryPrimitives.WriteUInt32BigEndian(payload[4..], (uint)errorCode);
        WriteFrame(new Http2Frame(8, Http2FrameType.GoAway, 0, 0), payload);
    }

    private void WriteFrame(Http2Frame frame, ReadOnlySpan<byte> payload)
    {
        Span<byte> span = _output.GetSpan(Http2Frame.HeaderLength + payload.Length);
        frame.Write(span);
        payload.CopyTo(span[Http2Frame.HeaderLength..]);
        _output.Advance(Http2Frame.HeaderLength + payload.Length);
    }
}
