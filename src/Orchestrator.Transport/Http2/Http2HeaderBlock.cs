using System.Buffers;

namespace Orchestrator.Transport.Http2;

/// <summary>
/// A header block gathered from a HEADERS frame and its CONTINUATION frames (RFC 9113, 6.10), with nothing else
/// between them, up to <paramref name="limit"/> bytes (ENHANCE_YOUR_CALM above).
/// </summary>
internal sealed class Http2HeaderBlock(int limit)
{
    private ArrayBufferWriter<byte>? _block;

    /// <summary>The HEADERS frame that opened the block (its stream and END_STREAM flag).</summary>
    public Http2Frame Start { get; private set; }

    /// <summary>A PROTOCOL_ERROR when <paramref name="frame"/> comes inside a block without continuing it.</summary>
    public void CheckInterleaving(Http2Frame frame)
    {
        if (_block is not null && (frame.Type != Http2FrameType.Continuation || frame.StreamId != Start.StreamId))
            throw new HttpProtocolException(0x1, $"a {frame.Type} frame inside a header block of stream {Start.StreamId}", null);
    }

    /// <summary>Takes a HEADERS or CONTINUATION frame; the whole block once END_HEADERS closes it, else null.</summary>
    public byte[]? Add(Http2Frame frame, ReadOnlySequence<byte> payload)
    {
        ReadOnlySequence<byte> fragment = payload;
        if (frame.Type == Http2FrameType.Headers)
        {
            fragment = Http2FrameReading.Unpadded(frame, payload);
            if (frame.Has(Http2Frame.Priority))
                fragment = fragment.Length >= 5 ? fragment.Slice(5) : throw new HttpProtocolException(0x1, "a HEADERS frame too short for its priority fields", null);
            Start = frame;
            _block = new ArrayBufferWriter<byte>((int)fragment.Length + 64);
        }
        else if (_block is null) throw new HttpProtocolException(0x1, "a CONTINUATION frame outside a header block", null);
        foreach (ReadOnlyMemory<byte> segment in fragment) _block.Write(segment.Span);
        if (_block.WrittenCount > limit) throw new HttpProtocolException(0xB, $"a header block above {limit} bytes (ENHANCE_YOUR_CALM)", null);
        if (!frame.Has(Http2Frame.EndHeaders)) return null;
        byte[] block = _block.WrittenSpan.ToArray();
        _block = null;
        return block;
    }
}
