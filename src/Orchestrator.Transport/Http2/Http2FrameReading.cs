using System.Buffers.Binary;
using System.Buffers;

namespace Orchestrator.Transport.Http2;

/// <summary>Frame parsing both connection loops share (the client's and the in-place server's), over a pipe's buffer.</summary>
internal static class Http2FrameReading
{
    /// <summary>
    /// The next whole frame at the start of <paramref name="buffer"/>, which then starts after it; false when it has not
    /// all arrived. A frame above <paramref name="maxFrameSize"/> is a FRAME_SIZE_ERROR before its payload is waited for.
    /// </summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, int maxFrameSize, out Http2Frame frame, out ReadOnlySequence<byte> payload)
    {
        frame = default;
        payload = default;
        if (buffer.Length < Http2Frame.HeaderLength) return false;
        Span<byte> header = stackalloc byte[Http2Frame.HeaderLength];
        buffer.Slice(0, Http2Frame.HeaderLength).CopyTo(header);
        frame = Http2Frame.Read(header);
        if (frame.Length > maxFrameSize)
            throw new HttpProtocolException(0x6, $"a {frame.Type} frame of {frame.Length} bytes, above the {maxFrameSize} allowed (FRAME_SIZE_ERROR)", null);
        if (buffer.Length < Http2Frame.HeaderLength + frame.Length) return false;
        payload = buffer.Slice(Http2Frame.HeaderLength, frame.Length);
        buffer = buffer.Slice(payload.End);
        return true;
    }

    /// <summary>The 32-bit big-endian value at the start of <paramref name="payload"/> (an error code, a window increment).</summary>
    public static uint ReadUInt32(ReadOnlySequence<byte> payload)
    {
        Span<byte> bytes = stackalloc byte[4];
        payload.Slice(0, 4).CopyTo(bytes);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    /// <summary>A DATA or HEADERS payload without its padding (RFC 9113, 6.1).</summary>
    public static ReadOnlySequence<byte> Unpadded(Http2Frame frame, ReadOnlySequence<byte> payload)
    {
        if (!frame.Has(Http2Frame.Padded)) return payload;
        if (payload.IsEmpty) throw new HttpProtocolException(0x1, $"a padded {frame.Type} frame without its pad length", null);
        int padding = payload.FirstSpan[0];
        if (padding >= payload.Length) throw new HttpProtocolException(0x1, $"a {frame.Type} frame whose padding is longer than its payload", null);
        return payload.Slice(1, payload.Length - 1 - padding);
    }
}
