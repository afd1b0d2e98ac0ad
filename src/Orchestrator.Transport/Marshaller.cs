using System.Buffers;

namespace Orchestrator.Transport;

/// <summary>
/// Turns messages into bytes and back. The serializer writes into a buffer writer (no intermediate array); the
/// deserializer reads a possibly multi-segment sequence that is only valid during the call, so it must copy what it keeps.
/// </summary>
public sealed class Marshaller<T>(
    Action<T, IBufferWriter<byte>> serializer, Func<ReadOnlySequence<byte>, T> deserializer, Func<T, IBufferWriter<byte>, ReadOnlyMemory<byte>>? headSerializer = null)
{
    public Action<T, IBufferWriter<byte>> Serializer { get; } = serializer;

    public Func<ReadOnlySequence<byte>, T> Deserializer { get; } = deserializer;

    /// <summary>
    /// Optional, for messages that end in a large run of bytes: writes the message but for a trailing run, which it
    /// returns instead of copying; streamed client requests then send that run straight from where it lies, after the
    /// rest. The two together must be what <see cref="Serializer"/> writes, and the run must stay unchanged until the
    /// write completes.
    /// </summary>
    public Func<T, IBufferWriter<byte>, ReadOnlyMemory<byte>>? HeadSerializer { get; } = headSerializer;
}
