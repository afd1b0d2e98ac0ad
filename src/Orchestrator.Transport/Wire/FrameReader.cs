using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;

namespace Orchestrator.Transport.Wire;

/// <summary>
/// Reads length-prefixed messages from a pipe. Every malformed input ends in an <see cref="RpcException"/> with a
/// status: a compressed or unknown flag, a length over the limit (checked before the body is buffered), a frame
/// cut short by the end of the stream, or a body the deserializer refuses.
/// </summary>
internal static class FrameReader
{
    /// <summary>The next message; <c>Found</c> is false at a clean end of the stream.</summary>
    public static async ValueTask<(bool Found, T Message)> ReadAsync<T>(
        PipeReader reader, Func<ReadOnlySequence<byte>, T> deserializer, int maxMessageSize, CancellationToken cancellationToken)
    {
        int wanted = FrameBuffer.HeaderLength;
        while (true)
        {
            ReadResult result = await reader.ReadAtLeastAsync(wanted, cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            // Until a whole frame is there, everything was examined and more is needed; after one, only up to it.
            SequencePosition consumed = buffer.Start, examined = buffer.End;
            try
            {
                if (result.IsCanceled) throw new OperationCanceledException("the read was cancelled", cancellationToken);
                long? bodyLength = buffer.Length >= FrameBuffer.HeaderLength ? ReadHeader(buffer, maxMessageSize) : null;
                if (bodyLength is long length && buffer.Length - FrameBuffer.HeaderLength >= length)
                {
                    ReadOnlySequence<byte> payload = buffer.Slice(FrameBuffer.HeaderLength, length);
                    consumed = examined = payload.End;
                    return (true, Deserialize(payload, deserializer));
                }
                if (result.IsCompleted)
                {
                    consumed = buffer.End;
                    if (buffer.Length == 0) return (false, default!);
                    throw new RpcException(StatusCode.Internal,
                        $"Incomplete message: the stream ended {buffer.Length} bytes into a frame{(bodyLength is long l ? $" of {l + FrameBuffer.HeaderLength} bytes" : "")}.");
                }
                // Wake up once the whole frame is there, not at every network read (a 1 MiB message is 64 DATA frames).
                if (bodyLength is long known) wanted = (int)Math.Min(FrameBuffer.HeaderLength + known, int.MaxValue);
            }
            finally
            {
                reader.AdvanceTo(consumed, examined);
            }
        }
    }

    /// <summary>The body length a 5-byte message prefix announces; a compressed or unknown flag, or a length over the limit, is an RpcException.</summary>
    internal static long ReadHeader(ReadOnlySequence<byte> buffer, int maxMessageSize)
    {
        Span<byte> header = stackalloc byte[FrameBuffer.HeaderLength];
        buffer.Slice(0, FrameBuffer.HeaderLength).CopyTo(header);
        switch (header[0])
        {
            case 0: break;
            case 1: throw new RpcException(StatusCode.Internal, "Received a compressed message, but no compression was negotiated (grpc-encoding is identity).");
            default: throw new RpcException(StatusCode.Internal, $"Invalid compressed flag {header[0]} in the message prefix.");
        }
        uint length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > (uint)maxMessageSize)
            throw new RpcException(StatusCode.ResourceExhausted,
                $"Received message exceeds the maximum configured message size ({length} > {maxMessageSize} bytes).");
        return length;
    }

    internal static T Deserialize<T>(ReadOnlySequence<byte> payload, Func<ReadOnlySequence<byte>, T> deserializer)
    {
        try
        {
            return deserializer(payload);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw new RpcException(new Status(StatusCode.Internal, $"Failed to deserialize the message: {e.Message}"), innerException: e);
        }
    }
}
