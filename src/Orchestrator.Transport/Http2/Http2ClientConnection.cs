using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.Sockets;

namespace Orchestrator.Transport.Http2;

/// <summary>
/// The client side of one HTTP/2 connection, written for bulk request bodies: a DATA frame is as large as the
/// server's MAX_FRAME_SIZE and the flow-control windows allow, and its payload goes to the socket from where the
/// caller holds it. One read loop handles the server's frames; writes take turns on one lock.
/// </summary>
internal sealed class Http2ClientConnection : IAsyncDisposable
{
    private const int DefaultWindow = 65_535;
    private const int DefaultMaxFrameSize = 16_384;
    private const int ReceiveFrameLimit = 1 << 20;
    private const int HeaderBlockLimit = 256 * 1024;

    private readonly Stream _transport;
    private readonly PipeReader _input;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Lock _gate = new();
    private readonly Dictionary<int, Http2ClientStream> _streams = [];
    private readonly HPackDecoder _decoder = new(4096);
    private readonly int _connectionReceiveWindow;
    private TaskCompletionSource _windowGrew = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _connectionSendWindow = DefaultWindow;
    private long _peerInitialWindow = DefaultWindow;
    private int _peerMaxFrameSize = DefaultMaxFrameSize;
    private long _peerMaxStreams = long.MaxValue;
    private int _nextStreamId = 1;
    private int _goAwayLastStream = int.MaxValue;
    private bool _closing;
    private Exception? _failure;
    private Task _readLoop = Task.CompletedTask;

    // Read-loop state: bytes received since the last connection WINDOW_UPDATE, and a header block split over
    // HEADERS and CONTINUATION frames, gathered until END_HEADERS.
    private long _unacknowledgedConnectionBytes;
    private readonly Http2HeaderBlock _headerBlock = new(HeaderBlockLimit);

    private readonly bool _askInPlace;

    private Http2ClientConnection(Stream transport, int streamReceiveWindow, bool askInPlace)
    {
        _transport = transport;
        _askInPlace = askInPlace;
        _input = PipeReader.Create(transport, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024));
        StreamReceiveWindow = streamReceiveWindow;
        _connectionReceiveWindow = Math.Max(streamReceiveWindow, 64 << 20);
    }

    /// <summary>The receive window this client announces for each stream.</summary>
    public int StreamReceiveWindow { get; }

    /// <summary>Whether a new stream may start here: not failed, not told to go away, not closing, under the server's stream limit.</summary>
    public bool CanOpenStream
    {
        get
        {
            lock (_gate) return WhyUnusable() is null && _streams.Count < _peerMaxStreams;
        }
    }

    /// <summary>False once no stream can ever start here again.</summary>
    public bool IsUsable
    {
        get
        {
            lock (_gate) return WhyUnusable() is null;
        }
    }

    /// <summary>Connects (TCP, then TLS with ALPN h2 for https), sends the preface and settings, and starts reading.</summary>
    public static async Task<Http2ClientConnection> ConnectAsync(Uri address, Http2ConnectionSettings settings, CancellationToken cancellationToken)
    {
        (_, Stream transport) = await Http2Connector.ConnectAsync(address, settings.ConnectTimeout, settings.RemoteCertificateValidation, cancellationToken)
            .ConfigureAwait(false);
        var connection = new Http2ClientConnection(transport, settings.StreamReceiveWindow, settings.AskInPlace);
        try
        {
            await connection.SendPrefaceAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await transport.DisposeAsync().ConfigureAwait(false);
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"sending the HTTP/2 preface to {address.Authority} failed: {e.Message}", e);
        }
        connection._readLoop = connection.ReadLoopAsync();
        return connection;
    }

    /// <summary>Opens a stream: sends its HEADERS (END_STREAM when there is no body).</summary>
    public async Task<Http2ClientStream> OpenStreamAsync(IReadOnlyList<(string Name, string Value)> headers, bool endStream, CancellationToken cancellationToken)
    {
        var block = new ArrayBufferWriter<byte>(256);
        HPackEncoder.Encode(headers, block);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Http2ClientStream stream;
            int maxFrameSize;
            lock (_gate)
            {
                if (WhyUnusable() is HttpRequestException unusable) throw unusable;
                // Ids must reach the server in increasing order: the id is taken and the block sent under the write lock.
                stream = new Http2ClientStream(_nextStreamId, _peerInitialWindow);
                _nextStreamId += 2;
                _streams.Add(stream.Id, stream);
                maxFrameSize = _peerMaxFrameSize;
            }
            ReadOnlyMemory<byte> rest = block.WrittenMemory;
            var type = Http2FrameType.Headers;
            do
            {
                int length = Math.Min(rest.Length, maxFrameSize);
                byte flags = (byte)((length == rest.Length ? Http2Frame.EndHeaders : 0) | (endStream && type == Http2FrameType.Headers ? Http2Frame.EndStream : 0));
                await WriteFrameAsync(new Http2Frame(length, type, flags, stream.Id), rest[..length], ReadOnlyMemory<byte>.Empty).ConfigureAwait(false);
                rest = rest[length..];
                type = Http2FrameType.Continuation;
            }
            while (!rest.IsEmpty);
            if (endStream) CloseLocal(stream);
            return stream;
        }
        catch (Exception e) when (IsConnectionFault(e))
        {
            Fail(e);
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"sending request headers failed: {e.Message}", e);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Sends <paramref name="head"/> then <paramref name="tail"/> as DATA on <paramref name="stream"/>, in frames no
    /// larger than the server allows and only as the windows open; END_STREAM with the last when asked.
    /// </summary>
    public async Task SendDataAsync(Http2ClientStream stream, ReadOnlyMemory<byte> head, ReadOnlyMemory<byte> tail, bool endStream, CancellationToken cancellationToken)
    {
        do
        {
            int length = await ReserveWindowAsync(stream, head.Length + tail.Length, cancellationToken).ConfigureAwait(false);
            int fromHead = Math.Min(length, head.Length);
            bool last = length == head.Length + tail.Length;
            var frame = new Http2Frame(length, Http2FrameType.Data, last && endStream ? Http2Frame.EndStream : (byte)0, stream.Id);
            try
            {
                await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Not sent: the connection's share goes back (the stream itself is being cancelled).
                lock (_gate) _connectionSendWindow += length;
                throw;
            }
            try
            {
                ThrowIfCannotSend(stream);
                await WriteFrameAsync(frame, head[..fromHead], tail[..(length - fromHead)]).ConfigureAwait(false);
            }
            catch (Exception e) when (IsConnectionFault(e))
            {
                Fail(e);
                throw new IOException($"sending on HTTP/2 stream {stream.Id} failed: {e.Message}", e);
            }
            finally
            {
                _writeLock.Release();
            }
            head = head[fromHead..];
            tail = tail[(length - fromHead)..];
        }
        while (!head.IsEmpty || !tail.IsEmpty);
        if (endStream) CloseLocal(stream);
    }

    /// <summary>Ends the stream with <paramref name="reason"/> and, unless it had closed, resets it (RST_STREAM, CANCEL by default).</summary>
    public async Task ResetStreamAsync(Http2ClientStream stream, Exception reason, int errorCode = 0x8)
    {
        bool wasClosed = stream.IsClosed;
        stream.Reset(reason);
        Forget(stream);
        if (wasClosed || !IsUsable) return;
        var payload = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(payload, errorCode);
        await SendFrameAsync(new Http2Frame(4, Http2FrameType.RstStream, 0, stream.Id), payload).ConfigureAwait(false);
    }

    /// <summary>The reader took <paramref name="bytes"/> of the stream's response body: the server may send that much more.</summary>
    public void OnBodyConsumed(Http2ClientStream stream, int bytes)
    {
        if (bytes > 0 && !stream.IsClosed) InBackground(SendWindowUpdateAsync(stream.Id, bytes));
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_closing) return;
            _closing = true;
        }
        // A polite GOAWAY, unless a writer is stuck on a full socket.
        if (await _writeLock.WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false))
        {
            try
            {
                await WriteFrameAsync(new Http2Frame(8, Http2FrameType.GoAway, 0, 0), new byte[8], ReadOnlyMemory<byte>.Empty).ConfigureAwait(false);
            }
            catch (Exception e) when (IsConnectionFault(e))
            {
                // Closing anyway.
            }
            finally
            {
                _writeLock.Release();
            }
        }
        Fail(new IOException("the HTTP/2 connection was closed by this client"));
        await _transport.DisposeAsync().ConfigureAwait(false);
        await _readLoop.ConfigureAwait(false);
    }

    private async Task SendPrefaceAsync(CancellationToken cancellationToken)
    {
        // SETTINGS: ENABLE_PUSH 0, INITIAL_WINDOW_SIZE, MAX_FRAME_SIZE (and the in-place request); then a WINDOW_UPDATE
        // raising the connection's window.
        int settings = _askInPlace ? 24 : 18;
        var preface = new byte[Http2Frame.ClientPreface.Length + Http2Frame.HeaderLength + settings + Http2Frame.HeaderLength + 4];
        Http2Frame.ClientPreface.CopyTo(preface);
        Span<byte> rest = preface.AsSpan(Http2Frame.ClientPreface.Length);
        new Http2Frame(settings, Http2FrameType.Settings, 0, 0).Write(rest);
        Http2Settings.Write(rest[9..], Http2Settings.EnablePush, 0);
        Http2Settings.Write(rest[15..], Http2Settings.InitialWindowSize, (uint)StreamReceiveWindow);
        Http2Settings.Write(rest[21..], Http2Settings.MaxFrameSize, ReceiveFrameLimit);
        if (_askInPlace) Http2Settings.Write(rest[27..], Server.InPlace.InPlaceStreams.SettingId, 1);
        rest = rest[(9 + settings)..];
        new Http2Frame(4, Http2FrameType.WindowUpdate, 0, 0).Write(rest);
        BinaryPrimitives.WriteUInt32BigEndian(rest[9..], (uint)(_connectionReceiveWindow - DefaultWindow));
        await _transport.WriteAsync(preface, cancellationToken).ConfigureAwait(false);
        await _transport.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits until both windows are open, then takes up to <paramref name="wanted"/> bytes (at most one frame's) from them.</summary>
    private async Task<int> ReserveWindowAsync(Http2ClientStream stream, int wanted, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task grew;
            lock (_gate)
            {
                ThrowIfCannotSend(stream);
                long open = Math.Min(Math.Min(_connectionSendWindow, stream.SendWindow), _peerMaxFrameSize);
                if (open > 0 || wanted == 0)
                {
                    int length = (int)Math.Min(wanted, open);
                    _connectionSendWindow -= length;
                    stream.SendWindow -= length;
                    return length;
                }
                grew = _windowGrew.Task;
            }
            await grew.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Why no new stream can start here (failed, told to go away, closing), or null; call under the lock.</summary>
    private HttpRequestException? WhyUnusable() =>
        _failure is not null ? new HttpRequestException(HttpRequestError.ConnectionError, $"the HTTP/2 connection failed: {_failure.Message}", _failure)
        : _goAwayLastStream != int.MaxValue || _closing ? new HttpRequestException(HttpRequestError.ConnectionError, "the HTTP/2 connection is closing (GOAWAY); retry on a new one")
        : null;

    private void ThrowIfCannotSend(Http2ClientStream stream)
    {
        if (stream.SendBlocker is Exception blocker) throw blocker is IOException or HttpProtocolException or OperationCanceledException ? blocker : new IOException(blocker.Message, blocker);
        if (_failure is not null) throw new IOException($"the HTTP/2 connection failed: {_failure.Message}", _failure);
    }

    /// <summary>Writes one frame: header and first payload part in one write, the second part (bulk data) from where it lies.</summary>
    private async ValueTask WriteFrameAsync(Http2Frame frame, ReadOnlyMemory<byte> first, ReadOnlyMemory<byte> second)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Http2Frame.HeaderLength + first.Length);
        try
        {
            frame.Write(buffer);
            first.Span.CopyTo(buffer.AsSpan(Http2Frame.HeaderLength));
            await _transport.WriteAsync(buffer.AsMemory(0, Http2Frame.HeaderLength + first.Length)).ConfigureAwait(false);
            if (!second.IsEmpty) await _transport.WriteAsync(second).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Writes one small frame under the write lock; a failed write fails the connection.</summary>
    private async Task SendFrameAsync(Http2Frame frame, ReadOnlyMemory<byte> payload)
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            await WriteFrameAsync(frame, payload, ReadOnlyMemory<byte>.Empty).ConfigureAwait(false);
        }
        catch (Exception e) when (IsConnectionFault(e))
        {
            Fail(e);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private Task SendWindowUpdateAsync(int streamId, int increment)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, (uint)increment);
        return SendFrameAsync(new Http2Frame(4, Http2FrameType.WindowUpdate, 0, streamId), payload);
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                ReadResult read = await _input.ReadAsync().ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = read.Buffer;
                while (Http2FrameReading.TryRead(ref buffer, ReceiveFrameLimit, out Http2Frame frame, out ReadOnlySequence<byte> payload)) HandleFrame(frame, payload);
                _input.AdvanceTo(buffer.Start, buffer.End);
                if (read.IsCompleted) throw new IOException(buffer.IsEmpty ? "the server closed the connection" : "the server closed the connection inside a frame");
            }
        }
        catch (Exception e)
        {
            Fail(e is HttpProtocolException or IOException ? e : new IOException($"reading from the server failed: {e.Message}", e));
            if (e is HttpProtocolException protocol)
            {
                var payload = new byte[8];
                BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(4), (uint)protocol.ErrorCode);
                await SendFrameAsync(new Http2Frame(8, Http2FrameType.GoAway, 0, 0), payload).ConfigureAwait(false);
            }
        }
        finally
        {
            await _input.CompleteAsync().ConfigureAwait(false);
            await _transport.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Handles one frame on the read loop. Nothing here waits for the write lock: a writer blocked on a full socket
    /// must not stop the loop that reads the server's window updates. Replies go out in the background.
    /// </summary>
    private void HandleFrame(Http2Frame frame, ReadOnlySequence<byte> payload)
    {
        _headerBlock.CheckInterleaving(frame);
        switch (frame.Type)
        {
            case Http2FrameType.Data:
                OnData(frame, Http2FrameReading.Unpadded(frame, payload));
                break;
            case Http2FrameType.Headers or Http2FrameType.Continuation:
                if (_headerBlock.Add(frame, payload) is { } block) OnHeaderBlock(block);
                break;
            case Http2FrameType.RstStream:
                if (payload.Length != 4) throw new HttpProtocolException(0x6, "an RST_STREAM frame that is not 4 bytes", null);
                OnReset(frame.StreamId, Http2FrameReading.ReadUInt32(payload));
                break;
            case Http2FrameType.Settings:
                if (frame.Has(Http2Frame.Ack)) break;
                ApplySettings(payload);
                InBackground(SendFrameAsync(new Http2Frame(0, Http2FrameType.Settings, Http2Frame.Ack, 0), ReadOnlyMemory<byte>.Empty));
                break;
            case Http2FrameType.Ping:
                if (payload.Length != 8) throw new HttpProtocolException(0x6, "a PING frame that is not 8 bytes", null);
                if (!frame.Has(Http2Frame.Ack)) InBackground(SendFrameAsync(new Http2Frame(8, Http2FrameType.Ping, Http2Frame.Ack, 0), payload.ToArray()));
                break;
            case Http2FrameType.GoAway:
                OnGoAway(payload);
                break;
            case Http2FrameType.WindowUpdate:
                OnWindowUpdate(frame, payload);
                break;
            case Http2FrameType.PushPromise:
                throw new HttpProtocolException(0x1, "PUSH_PROMISE after SETTINGS_ENABLE_PUSH 0", null);
            default:
                // PRIORITY and unknown types are ignored (RFC 9113, 4.1 and 5.3.2).
                break;
        }
    }

    private void OnData(Http2Frame frame, ReadOnlySequence<byte> data)
    {
        // Flow control counts the whole frame, padding included. The connection's share is returned at once, the
        // stream's as the reader consumes it, so a slow reader holds back only its own stream.
        _unacknowledgedConnectionBytes += frame.Length;
        if (_unacknowledgedConnectionBytes >= _connectionReceiveWindow / 4)
        {
            InBackground(SendWindowUpdateAsync(0, (int)_unacknowledgedConnectionBytes));
            _unacknowledgedConnectionBytes = 0;
        }
        if (Find(frame.StreamId) is not Http2ClientStream stream) return;
        int padding = frame.Length - (int)data.Length;
        if (padding > 0) OnBodyConsumed(stream, padding);
        foreach (ReadOnlyMemory<byte> segment in data) stream.OnData(segment.Span, endStream: false);
        if (frame.Has(Http2Frame.EndStream))
        {
            stream.OnData([], endStream: true);
            if (stream.IsClosed) Forget(stream);
        }
    }

    private void OnHeaderBlock(byte[] block)
    {
        // Decoded even for a stream already gone: the dynamic table must stay in step with the server's.
        List<(string Name, string Value)> fields = _decoder.Decode(block);
        if (Find(_headerBlock.Start.StreamId) is not Http2ClientStream stream) return;
        try
        {
            stream.OnHeaders(fields, _headerBlock.Start.Has(Http2Frame.EndStream));
            if (stream.IsClosed) Forget(stream);
        }
        catch (HttpProtocolException e)
        {
            // A malformed response fails its own stream, not the connection.
            InBackground(ResetStreamAsync(stream, e, (int)e.ErrorCode));
        }
    }

    private void OnReset(int streamId, uint code)
    {
        if (Find(streamId) is not Http2ClientStream stream) return;
        stream.Reset(new HttpProtocolException(code, $"the server reset HTTP/2 stream {streamId} with error code 0x{code:X}", null), noErrorFromPeer: code == 0);
        if (stream.IsClosed) Forget(stream);
    }

    private void ApplySettings(ReadOnlySequence<byte> payload)
    {
        List<(ushort Id, uint Value)> settings = Http2Settings.Read(payload);
        lock (_gate)
        {
            foreach (var (id, value) in settings)
            {
                switch (id)
                {
                    case Http2Settings.MaxConcurrentStreams:
                        _peerMaxStreams = value;
                        break;
                    case Http2Settings.InitialWindowSize:
                        long window = Http2Settings.CheckedInitialWindow(value);
                        long delta = window - _peerInitialWindow;
                        _peerInitialWindow = window;
                        foreach (Http2ClientStream stream in _streams.Values) stream.SendWindow += delta;
                        break;
                    case Http2Settings.MaxFrameSize:
                        _peerMaxFrameSize = Http2Settings.CheckedMaxFrameSize(value);
                        break;
                }
            }
            SignalWindowGrew();
        }
    }

    private void OnWindowUpdate(Http2Frame frame, ReadOnlySequence<byte> payload)
    {
        if (payload.Length != 4) throw new HttpProtocolException(0x6, "a WINDOW_UPDATE frame that is not 4 bytes", null);
        long increment = Http2FrameReading.ReadUInt32(payload) & 0x7FFFFFFF;
        lock (_gate)
        {
            if (frame.StreamId == 0)
            {
                if (increment == 0) throw new HttpProtocolException(0x1, "a connection WINDOW_UPDATE of 0", null);
                _connectionSendWindow += increment;
                if (_connectionSendWindow > int.MaxValue) throw new HttpProtocolException(0x3, "the connection window above 2^31-1 (FLOW_CONTROL_ERROR)", null);
            }
            else if (_streams.TryGetValue(frame.StreamId, out Http2ClientStream? stream))
            {
                stream.SendWindow += increment;
            }
            SignalWindowGrew();
        }
    }

    private void OnGoAway(ReadOnlySequence<byte> payload)
    {
        if (payload.Length < 8) throw new HttpProtocolException(0x6, "a GOAWAY frame shorter than 8 bytes", null);
        byte[] bytes = payload.Slice(0, 8).ToArray();
        int lastStream = (int)(BinaryPrimitives.ReadUInt32BigEndian(bytes) & 0x7FFFFFFF);
        uint code = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(4));
        List<Http2ClientStream> refused;
        lock (_gate)
        {
            _goAwayLastStream = Math.Min(_goAwayLastStream, lastStream);
            refused = [.. _streams.Values.Where(s => s.Id > lastStream)];
        }
        // Streams above the last one the server will process were never seen there: safe to retry elsewhere.
        foreach (Http2ClientStream stream in refused)
        {
            stream.Reset(new HttpRequestException(HttpRequestError.ConnectionError, $"the server is going away (GOAWAY 0x{code:X}) and did not process stream {stream.Id}"));
            Forget(stream);
        }
    }

    private void CloseLocal(Http2ClientStream stream)
    {
        stream.OnLocalEnd();
        if (stream.IsClosed) Forget(stream);
    }

    private Http2ClientStream? Find(int id)
    {
        lock (_gate) return _streams.GetValueOrDefault(id);
    }

    private void Forget(Http2ClientStream stream)
    {
        lock (_gate) _streams.Remove(stream.Id);
    }

    private void SignalWindowGrew()
    {
        _windowGrew.TrySetResult();
        _windowGrew = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>The connection is done: every open stream fails with <paramref name="reason"/>, and so do their waiting writers.</summary>
    private void Fail(Exception reason)
    {
        List<Http2ClientStream> open;
        lock (_gate)
        {
            _failure ??= reason;
            open = [.. _streams.Values];
            _streams.Clear();
            SignalWindowGrew();
        }
        foreach (Http2ClientStream stream in open) stream.Reset(new IOException($"the HTTP/2 connection failed: {reason.Message}", reason));
    }

    /// <summary>Lets a control frame's write finish on its own; a failure there fails the connection.</summary>
    private void InBackground(Task write) =>
        write.ContinueWith(t => Fail(t.Exception!.InnerException!), CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private static bool IsConnectionFault(Exception e) => e is IOException or ObjectDisposedException or SocketException;

}
