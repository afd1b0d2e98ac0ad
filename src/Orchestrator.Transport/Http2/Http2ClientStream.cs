using System.Buffers;
using System.IO.Pipelines;

namespace Orchestrator.Transport.Http2;

/// <summary>
/// One request's stream on an <see cref="Http2ClientConnection"/>: its send window, the response headers, the
/// response body (copied out of DATA frames into a pipe) and the trailers. The connection's read loop fills it;
/// the request body writer and the response body reader drain it.
/// </summary>
internal sealed class Http2ClientStream
{
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource<List<(string Name, string Value)>> _headers = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Pipe _body = new(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
    private Exception? _reset;
    private bool _remoteClosed;
    private bool _localClosed;

    public Http2ClientStream(int id, long sendWindow)
    {
        Id = id;
        SendWindow = sendWindow;
    }

    public int Id { get; }

    /// <summary>Bytes the peer lets this stream send; guarded by the connection's window lock.</summary>
    public long SendWindow { get; set; }

    /// <summary>The trailers, once the response has ended with them.</summary>
    public List<(string Name, string Value)> Trailers { get; private set; } = [];

    public Task<List<(string Name, string Value)>> ResponseHeaders => _headers.Task;

    /// <summary>The response's <c>:status</c>, once <see cref="ResponseHeaders"/> has completed.</summary>
    public int StatusCode { get; private set; }

    public PipeReader Body => _body.Reader;

    /// <summary>Why sending must stop: the stream was reset, or the peer has answered in full.</summary>
    public Exception? SendBlocker
    {
        get
        {
            lock (_gate) return _reset ?? (_remoteClosed ? new IOException($"HTTP/2 stream {Id}: the server has ended the response; the request body is no longer read") : null);
        }
    }

    public bool IsClosed
    {
        get
        {
            lock (_gate) return _reset is not null || (_remoteClosed && _localClosed);
        }
    }

    /// <summary>A HEADERS block from the read loop: the response headers first (1xx skipped), then trailers.</summary>
    public void OnHeaders(List<(string Name, string Value)> fields, bool endStream)
    {
        string? status = fields.FirstOrDefault(f => f.Name == ":status").Value;
        if (!_headers.Task.IsCompleted)
        {
            if (status is not { Length: 3 } || !status.All(char.IsAsciiDigit))
                throw new HttpProtocolException(0x1, $"HTTP/2 stream {Id}: response headers without a valid :status ('{status}')", null);
            if (status.StartsWith('1') && !endStream) return;
            StatusCode = int.Parse(status, System.Globalization.CultureInfo.InvariantCulture);
            _headers.TrySetResult(fields);
        }
        else if (!endStream)
        {
            throw new HttpProtocolException(0x1, $"HTTP/2 stream {Id}: a second HEADERS block that does not end the stream", null);
        }
        else
        {
            Trailers = fields;
        }
        if (endStream) OnRemoteEnd();
    }

    public void OnData(ReadOnlySpan<byte> payload, bool endStream)
    {
        if (!_headers.Task.IsCompleted) throw new HttpProtocolException(0x1, $"HTTP/2 stream {Id}: DATA before the response headers", null);
        lock (_gate)
        {
            // The writer side of the pipe only moves under the lock: a reset may come from another thread.
            if (_reset is not null || _remoteClosed) return;
            if (!payload.IsEmpty)
            {
                _body.Writer.Write(payload);
                _ = _body.Writer.FlushAsync();
            }
        }
        if (endStream) OnRemoteEnd();
    }

    /// <summary>The request side has sent END_STREAM.</summary>
    public void OnLocalEnd()
    {
        lock (_gate) _localClosed = true;
    }

    /// <summary>Ends the stream with <paramref name="reason"/>: readers and writers see it. A peer's RST_STREAM NO_ERROR after a full response only stops the sending.</summary>
    public void Reset(Exception reason, bool noErrorFromPeer = false)
    {
        lock (_gate)
        {
            if (_reset is not null) return;
            if (noErrorFromPeer && _remoteClosed)
            {
                _localClosed = true;
                return;
            }
            _reset = reason;
            if (!_remoteClosed) _body.Writer.Complete(reason);
        }
        _headers.TrySetException(reason);
    }

    private void OnRemoteEnd()
    {
        lock (_gate)
        {
            if (_reset is not null || _remoteClosed) return;
            _remoteClosed = true;
            _body.Writer.Complete();
        }
    }
}
