using System.Buffers;
using System.IO.Pipelines;

namespace Orchestrator.Transport.Http2;

/// <summary>
/// A response body read from its stream's pipe. At the end it hands the trailers to the response, so a reader that
/// has seen the end finds them in <see cref="HttpResponseMessage.TrailingHeaders"/>. Disposed before the end, it
/// resets the stream.
/// </summary>
internal sealed class Http2ResponseBodyStream(Http2ClientConnection connection, Http2ClientStream stream, HttpResponseMessage response) : Stream
{
    private int _unacknowledged;
    private bool _ended;
    private int _disposed;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_ended || buffer.IsEmpty) return 0;
        ReadResult read = await stream.Body.ReadAsync(cancellationToken).ConfigureAwait(false);
        ReadOnlySequence<byte> available = read.Buffer;
        if (available.IsEmpty && read.IsCompleted)
        {
            stream.Body.AdvanceTo(available.End);
            _ended = true;
            foreach (var (name, value) in stream.Trailers) response.TrailingHeaders.TryAddWithoutValidation(name, value);
            return 0;
        }
        int count = (int)Math.Min(buffer.Length, available.Length);
        available.Slice(0, count).CopyTo(buffer.Span);
        stream.Body.AdvanceTo(available.GetPosition(count));
        // Window updates in batches: the server may run a quarter of the window ahead of the reader before hearing back.
        _unacknowledged += count;
        if (_unacknowledged >= connection.StreamReceiveWindow / 4)
        {
            connection.OnBodyConsumed(stream, _unacknowledged);
            _unacknowledged = 0;
        }
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override void Flush() { }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            // The reset fails a read still waiting on the pipe; the pipe itself is left to the collector.
            if (!_ended) _ = connection.ResetStreamAsync(stream, new ObjectDisposedException(nameof(HttpResponseMessage), "the response was disposed before its end"));
        }
        base.Dispose(disposing);
    }
}
