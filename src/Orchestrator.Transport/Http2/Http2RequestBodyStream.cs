namespace Orchestrator.Transport.Http2;

/// <summary>
/// A request body as DATA frames. Small writes (a message's prefix and header fields) wait in a buffer and leave in
/// the same frame as the next large write, whose bytes go to the socket from the caller's memory; a flush sends what
/// waits. Writes come one at a time.
/// </summary>
internal sealed class Http2RequestBodyStream(Http2ClientConnection connection, Http2ClientStream stream, CancellationToken requestAborted) : Stream
{
    private const int SmallWrite = 4096;

    private readonly MemoryStream _pending = new();

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.Length <= SmallWrite && _pending.Length + buffer.Length <= 4 * SmallWrite)
        {
            _pending.Write(buffer.Span);
            return;
        }
        await SendAsync(buffer, endStream: false, cancellationToken).ConfigureAwait(false);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) =>
        _pending.Length == 0 ? Task.CompletedTask : SendAsync(ReadOnlyMemory<byte>.Empty, endStream: false, cancellationToken);

    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Sends what waits with END_STREAM: the request is complete.</summary>
    public Task EndAsync(CancellationToken cancellationToken) => SendAsync(ReadOnlyMemory<byte>.Empty, endStream: true, cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private async Task SendAsync(ReadOnlyMemory<byte> tail, bool endStream, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, requestAborted);
        await connection.SendDataAsync(stream, _pending.GetBuffer().AsMemory(0, (int)_pending.Length), tail, endStream, linked.Token).ConfigureAwait(false);
        _pending.SetLength(0);
    }
}
