using System.Buffers;

namespace Orchestrator.Transport.Wire;

/// <summary>Frames messages: a 5-byte prefix (compressed flag 0, big-endian length), then the serialized message.</summary>
internal static class FrameWriter
{
    /// <summary>Serializes one message into a frame; RESOURCE_EXHAUSTED when it exceeds <paramref name="maxMessageSize"/>.</summary>
    public static FrameBuffer Encode<T>(T message, Action<T, IBufferWriter<byte>> serializer, int maxMessageSize, bool pooled) =>
        EncodeHead(message, (m, output) =>
        {
            serializer(m, output);
            return ReadOnlyMemory<byte>.Empty;
        }, maxMessageSize, pooled).Head;

    /// <summary>
    /// Serializes all of one message but the trailing bytes that <paramref name="headSerializer"/> returns (sent after
    /// the frame, from where they lie); the frame's header counts them. RESOURCE_EXHAUSTED over <paramref name="maxMessageSize"/>.
    /// </summary>
    public static (FrameBuffer Head, ReadOnlyMemory<byte> Tail) EncodeHead<T>(
        T message, Func<T, IBufferWriter<byte>, ReadOnlyMemory<byte>> headSerializer, int maxMessageSize, bool pooled)
    {
        var frame = new FrameBuffer(pooled);
        try
        {
            ReadOnlyMemory<byte> tail = headSerializer(message, frame);
            long length = (long)frame.MessageLength + tail.Length;
            if (length > maxMessageSize)
                throw new RpcException(StatusCode.ResourceExhausted,
                    $"Sending message exceeds the maximum configured message size ({length} > {maxMessageSize} bytes).");
            frame.Seal((int)length);
            return (frame, tail);
        }
        catch (Exception e)
        {
            frame.Dispose();
            if (e is RpcException) throw;
            throw new RpcException(new Status(StatusCode.Internal, $"Error serializing the message: {e.Message}"), innerException: e);
        }
    }

    /// <summary>
    /// Writes one framed message and flushes it, so streamed messages leave at once. With a head serializer, the
    /// message's trailing bytes are written from where they lie instead of being copied into the frame first.
    /// </summary>
    public static async ValueTask WriteAsync<T>(Stream stream, T message, Marshaller<T> marshaller, int maxMessageSize, CancellationToken cancellationToken)
    {
        if (marshaller.HeadSerializer is not { } headSerializer)
        {
            await WriteAsync(stream, message, marshaller.Serializer, maxMessageSize, cancellationToken).ConfigureAwait(false);
            return;
        }
        var (head, tail) = EncodeHead(message, headSerializer, maxMessageSize, pooled: true);
        using (head)
        {
            await stream.WriteAsync(head.Frame, cancellationToken).ConfigureAwait(false);
            if (!tail.IsEmpty) await stream.WriteAsync(tail, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes one framed message and flushes it, so streamed messages leave at once.</summary>
    public static async ValueTask WriteAsync<T>(Stream stream, T message, Action<T, IBufferWriter<byte>> serializer, int maxMessageSize, CancellationToken cancellationToken)
    {
        using FrameBuffer frame = Encode(message, serializer, maxMessageSize, pooled: true);
        await stream.WriteAsync(frame.Frame, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
