using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Google.Protobuf;
using Orchestrator.Protocol.V1;
using Orchestrator.Transport;

namespace Orchestrator.Protocol;

/// <summary>
/// <see cref="GradientChunk"/> on the wire as protobuf, parsed so that its <c>data</c> lands in a <see cref="RentedBytes"/>
/// array (the consumer may <see cref="RentedBytes.Release"/> it once folded) instead of a new megabyte array per chunk.
/// The other fields parse as usual: the message is merged from the byte ranges around every <c>data</c> field, which
/// protobuf defines to mean the same as parsing it whole; the last <c>data</c> field wins, as in protobuf. Sending, the
/// <c>data</c> field goes last, its bytes straight from the sender's array (protobuf allows fields in any order).
/// </summary>
public static class GradientChunkMarshaller
{
    private const int LengthDelimited = 2;

    public static Marshaller<GradientChunk> Create()
    {
        Marshaller<GradientChunk> protobuf = ProtobufMarshaller.Create<GradientChunk>();
        return new Marshaller<GradientChunk>(protobuf.Serializer, Parse, SerializeAllButData);
    }

    /// <summary>Writes every field but <c>data</c>, then <c>data</c>'s tag and length, and returns its bytes to be sent after them.</summary>
    public static ReadOnlyMemory<byte> SerializeAllButData(GradientChunk chunk, IBufferWriter<byte> output)
    {
        GradientChunk head = chunk.Clone();
        head.Data = ByteString.Empty;
        head.WriteTo(output);
        if (chunk.Data.IsEmpty) return ReadOnlyMemory<byte>.Empty;
        Span<byte> field = output.GetSpan(15);
        int written = WriteVarint(field, GradientChunk.DataFieldNumber << 3 | LengthDelimited);
        written += WriteVarint(field[written..], (uint)chunk.Data.Length);
        output.Advance(written);
        return chunk.Data.Memory;
    }

    private static int WriteVarint(Span<byte> destination, uint value)
    {
        int k = 0;
        for (; value >= 0x80; value >>= 7) destination[k++] = (byte)(value | 0x80);
        destination[k++] = (byte)value;
        return k;
    }

    private static GradientChunk Parse(ReadOnlySequence<byte> payload)
    {
        GradientChunk chunk = ParseHeader(payload, out ReadOnlySequence<byte> data);
        if (!data.IsEmpty) chunk.Data = UnsafeByteOperations.UnsafeWrap(RentedBytes.CopyOf(data));
        return chunk;
    }

    /// <summary>
    /// Every field but <c>data</c>, parsed; <paramref name="data"/> is where <c>data</c>'s bytes lie in
    /// <paramref name="payload"/> (empty when absent), for a consumer that folds them before the payload's buffer is reused.
    /// </summary>
    public static GradientChunk ParseHeader(ReadOnlySequence<byte> payload, out ReadOnlySequence<byte> data)
    {
        var chunk = new GradientChunk();
        var reader = new SequenceReader<byte>(payload);
        long resumeAt = 0;
        data = ReadOnlySequence<byte>.Empty;
        while (!reader.End)
        {
            long fieldStart = reader.Consumed;
            ulong tag = ReadVarint(ref reader);
            if (tag >> 3 != GradientChunk.DataFieldNumber || (tag & 7) != LengthDelimited)
            {
                SkipValue(ref reader, tag, fieldStart);
                continue;
            }
            long length = checked((long)ReadVarint(ref reader));
            SequencePosition valueStart = reader.Position;
            Skip(ref reader, length);
            data = payload.Slice(valueStart, length);
            chunk.MergeFrom(payload.Slice(resumeAt, fieldStart - resumeAt));
            resumeAt = reader.Consumed;
        }
        chunk.MergeFrom(payload.Slice(resumeAt));
        return chunk;
    }

    /// <summary>
    /// From the first bytes of a message of <paramref name="messageLength"/> bytes whose <c>data</c> field is its last
    /// (as this marshaller sends it), every other field, and where <c>data</c>'s bytes begin: they run from
    /// <paramref name="dataStart"/> to the message's end. False when the head does not show that (a field reaching past
    /// it, <c>data</c> not last, or bytes that are not protobuf): the message is then parsed whole instead.
    /// </summary>
    public static bool TryParseHead(ReadOnlySequence<byte> head, long messageLength, [NotNullWhen(true)] out GradientChunk? header, out int dataStart)
    {
        (header, dataStart) = (null, 0);
        var reader = new SequenceReader<byte>(head);
        try
        {
            while (!reader.End)
            {
                long fieldStart = reader.Consumed;
                ulong tag = ReadVarint(ref reader);
                if (tag >> 3 == GradientChunk.DataFieldNumber && (tag & 7) == LengthDelimited)
                {
                    ulong length = ReadVarint(ref reader);
                    if ((ulong)reader.Consumed + length != (ulong)messageLength) return false;
                    header = new GradientChunk();
                    header.MergeFrom(head.Slice(0, fieldStart));
                    dataStart = (int)reader.Consumed;
                    return true;
                }
                SkipValue(ref reader, tag, fieldStart);
            }
        }
        catch (Exception e) when (e is InvalidDataException or InvalidProtocolBufferException)
        {
        }
        return false;
    }

    private static void SkipValue(ref SequenceReader<byte> reader, ulong tag, long fieldStart)
    {
        switch ((int)(tag & 7))
        {
            case 0: ReadVarint(ref reader); break;
            case 1: Skip(ref reader, 8); break;
            case 5: Skip(ref reader, 4); break;
            case LengthDelimited: Skip(ref reader, checked((long)ReadVarint(ref reader))); break;
            default: throw new InvalidDataException($"wire type {tag & 7} at byte {fieldStart}");
        }
    }

    private static ulong ReadVarint(ref SequenceReader<byte> reader)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (!reader.TryRead(out byte b)) throw new InvalidDataException("the message ends inside a varint");
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return value;
        }
        throw new InvalidDataException("a varint is longer than 10 bytes");
    }

    private static void Skip(ref SequenceReader<byte> reader, long count)
    {
        if (reader.Remaining < count) throw new InvalidDataException("the message ends inside a field");
        reader.Advance(count);
    }
}
