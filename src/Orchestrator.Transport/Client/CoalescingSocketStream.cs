using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Orchestrator.Transport.Client;

/// <summary>
/// The channel's connection, under SocketsHttpHandler's HTTP/2. SocketsHttpHandler sends a request body as 16 KiB DATA
/// frames and waits for each one's write before the next, so a plain socket costs one <c>sendto</c> per 16 KiB. Here a
/// write only queues the bytes, and one sender loop sends whatever has queued meanwhile in one gather write, as
/// Kestrel does on the server side: a tensor stream leaves in large writes, a lone frame as soon as it did before.
/// Queued bytes past <see cref="PauseBytes"/> hold writers back until the socket drains.
/// </summary>
internal sealed class CoalescingSocketStream : Stream
{
    private const int PauseBytes = 4 * 1024 * 1024;
    private const int SegmentBytes = 64 * 1024;

    private readonly Socket _socket;
    private readonly Pipe _queue = new(new PipeOptions(pauseWriterThreshold: PauseBytes, resumeWriterThreshold: PauseBytes / 2,
        minimumSegmentSize: SegmentBytes, useSynchronizationContext: false));
    private readonly List<ArraySegment<byte>> _gather = [];
    private int _disposed;

    private CoalescingSocketStream(Socket socket)
    {
        _socket = socket;
        _ = SendLoopAsync();
    }

    /// <summary>For SocketsHttpHandler's <c>ConnectCallback</c>: a TCP connection without Nagle's delay, wrapped.</summary>
    public static async ValueTask<Stream> ConnectAsync(DnsEndPoint endPoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
            return new CoalescingSocketStream(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new IOException($"receiving failed: {e.Message}", e);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // A failed sender's fault surfaces from the write itself; a disposed stream's sender just stopped.
        FlushResult result = await _queue.Writer.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (result.IsCompleted) throw new IOException("the connection is closed");
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Queued bytes go out as soon as the sender gets to them; there is nothing to push.</summary>
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Flush() { }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        // Only thread-safe calls here: a write or the sender may be in flight. The sender stops at the cancelled read.
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _socket.Dispose();
            _queue.Reader.CancelPendingRead();
        }
        base.Dispose(disposing);
    }

    private async Task SendLoopAsync()
    {
        try
        {
            while (true)
            {
                ReadResult read = await _queue.Reader.ReadAsync().ConfigureAwait(false);
                if (read.IsCanceled) break;
                ReadOnlySequence<byte> queued = read.Buffer;
                if (!queued.IsEmpty) await SendAsync(queued).ConfigureAwait(false);
                _queue.Reader.AdvanceTo(queued.End);
                if (read.IsCompleted) break;
            }
            await _queue.Reader.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Writers see the fault on their next write; reads fail on the socket by themselves.
            await _queue.Reader.CompleteAsync(e is SocketException ? new IOException($"sending failed: {e.Message}", e) : e).ConfigureAwait(false);
        }
    }

    private async ValueTask SendAsync(ReadOnlySequence<byte> queued)
    {
        if (queued.IsSingleSegment)
        {
            for (ReadOnlyMemory<byte> rest = queued.First; !rest.IsEmpty;)
                rest = rest[await _socket.SendAsync(rest, SocketFlags.None).ConfigureAwait(false)..];
            return;
        }
        _gather.Clear();
        // The pipe's segments come from MemoryPool<byte>.Shared: arrays.
        foreach (ReadOnlyMemory<byte> segment in queued)
            _gather.Add(MemoryMarshal.TryGetArray(segment, out ArraySegment<byte> array) ? array : throw new InvalidOperationException("a pipe segment is not an array"));
        int sent = await _socket.SendAsync(_gather, SocketFlags.None).ConfigureAwait(false);
        if (sent != queued.Length) throw new IOException($"sent {sent} of {queued.Length} bytes");
    }
}
