using System.Buffers;
using System.Net.Sockets;
using Orchestrator.Transport.Http2;

namespace Orchestrator.Transport.Server.InPlace;

/// <summary>
/// Frames read from a connection with blocking reads (a socket's stream, or TLS over it): headers and small payloads through a buffer, and a DATA payload pulled by its
/// stream (<see cref="IPayloadSource"/>), large reads straight into where the stream wants them.
/// <paramref name="abort"/> ends the connection under the transport from any thread (a socket's shutdown).
/// </summary>
internal sealed class BlockingFrameReader(Stream transport, Action abort) : IPayloadSource
{
    // A read at least this long skips the buffer: a message body goes from the kernel straight to its own buffer.
    private const int DirectReadThreshold = 16 * 1024;

    private readonly byte[] _buffer = new byte[64 * 1024];
    private byte[] _payload = new byte[16 * 1024];
    private int _start;
    private int _end;
    private int _frameLeft;

    /// <summary>Reads the client preface; false when the bytes are not HTTP/2's.</summary>
    public bool ReadPreface()
    {
        Span<byte> preface = stackalloc byte[Http2Frame.ClientPreface.Length];
        Fill(preface);
        return preface.SequenceEqual(Http2Frame.ClientPreface);
    }

    /// <summary>The next frame's header; null when the client closed between frames.</summary>
    public Http2Frame? ReadFrameHeader()
    {
        if (_start == _end && !Refill()) return null;
        Span<byte> header = stackalloc byte[Http2Frame.HeaderLength];
        Fill(header);
        return Http2Frame.Read(header);
    }

    /// <summary>A whole payload of <paramref name="length"/> bytes, valid until the next read.</summary>
    public ReadOnlySequence<byte> ReadPayload(int length)
    {
        if (_payload.Length < length) _payload = new byte[Math.Max(length, 2 * _payload.Length)];
        Fill(_payload.AsSpan(0, length));
        return new ReadOnlySequence<byte>(_payload, 0, length);
    }

    /// <summary>Starts pulling a DATA payload of <paramref name="length"/> bytes.</summary>
    public void BeginPayload(int length) => _frameLeft = length;

    public void ReadExactly(Span<byte> into)
    {
        if (into.Length > _frameLeft) throw new InvalidOperationException($"a read of {into.Length} bytes with {_frameLeft} left in the frame");
        _frameLeft -= into.Length;
        Fill(into);
    }

    public void Abort() => abort();

    /// <summary>Reads past what the stream left of the payload (its padding, or all of it when the stream dropped it).</summary>
    public void SkipRest()
    {
        Span<byte> discard = stackalloc byte[4096];
        while (_frameLeft > 0) ReadExactly(discard[..Math.Min(discard.Length, _frameLeft)]);
    }

    private void Fill(Span<byte> into)
    {
        int buffered = Math.Min(_end - _start, into.Length);
        _buffer.AsSpan(_start, buffered).CopyTo(into);
        _start += buffered;
        into = into[buffered..];
        while (!into.IsEmpty)
        {
            if (into.Length >= DirectReadThreshold)
            {
                int read = Receive(into);
                if (read == 0) throw new ConnectionLostException("the client closed the connection inside a frame");
                into = into[read..];
                continue;
            }
            if (!Refill()) throw new ConnectionLostException("the client closed the connection inside a frame");
            int taken = Math.Min(_end - _start, into.Length);
            _buffer.AsSpan(_start, taken).CopyTo(into);
            _start += taken;
            into = into[taken..];
        }
    }

    private bool Refill()
    {
        _start = 0;
        _end = Receive(_buffer);
        return _end > 0;
    }

    private int Receive(Span<byte> into)
    {
        try
        {
            return transport.Read(into);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            throw new ConnectionLostException($"receiving failed: {e.Message}", e);
        }
    }
}
