using System.Buffers;
using Google.Protobuf;
using Orchestrator.Protocol.V1;

namespace Orchestrator.Protocol.Tests;

/// <summary>The gradient chunk parser that puts the data in rented arrays: same message as protobuf's own parser.</summary>
public sealed class GradientChunkMarshallerTests
{
    private static readonly Func<ReadOnlySequence<byte>, GradientChunk> Parse = GradientChunkMarshaller.Create().Deserializer;

    private static GradientChunk Sample(int bytes) => new()
    {
        RunId = "run-3", Step = 41, Attempt = 2, Buffer = "step", Phase = ReducePhase.AllGather, Round = 1, SenderRank = 3,
        Segment = 2, ChunkIndex = 7, Offset = 1L << 33, ShardBegin = 0, ShardEnd = 4,
        Data = ByteString.CopyFrom([.. Enumerable.Range(0, bytes).Select(i => (byte)(i * 31))]),
    };

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4096)]
    [InlineData(1 << 20)]
    public void parses_every_field_as_protobuf_does(int bytes)
    {
        GradientChunk sent = Sample(bytes);
        Assert.Equal(GradientChunk.Parser.ParseFrom(sent.ToByteArray()), Parse(new ReadOnlySequence<byte>(sent.ToByteArray())));
    }

    [Fact]
    public void a_message_split_across_segments_at_every_byte_parses_the_same()
    {
        GradientChunk sent = Sample(40);
        byte[] wire = sent.ToByteArray();
        for (int cut = 1; cut < wire.Length; cut++)
            Assert.Equal(sent, Parse(Segments(wire[..cut], wire[cut..])));
    }

    [Fact]
    public void the_header_parses_without_the_data_which_is_left_where_it_lies_at_every_cut()
    {
        GradientChunk sent = Sample(40);
        byte[] wire = sent.ToByteArray();
        GradientChunk withoutData = sent.Clone();
        withoutData.Data = ByteString.Empty;
        for (int cut = 1; cut < wire.Length; cut++)
        {
            ReadOnlySequence<byte> message = Segments(wire[..cut], wire[cut..]);
            Assert.Equal(withoutData, GradientChunkMarshaller.ParseHeader(message, out ReadOnlySequence<byte> data));
            Assert.Equal(sent.Data.ToByteArray(), data.ToArray());
        }
    }

    [Fact]
    public void fields_after_the_data_and_a_repeated_data_field_parse_as_protobuf_does()
    {
        // data first, the other fields after it, then a second data field: protobuf keeps the last.
        byte[] wire = [.. new GradientChunk { Data = ByteString.CopyFromUtf8("first") }.ToByteArray(),
            .. new GradientChunk { RunId = "r", Offset = 9, ShardEnd = 2 }.ToByteArray(),
            .. new GradientChunk { Data = ByteString.CopyFromUtf8("second") }.ToByteArray()];
        GradientChunk parsed = Parse(new ReadOnlySequence<byte>(wire));
        Assert.Equal(GradientChunk.Parser.ParseFrom(wire), parsed);
        Assert.Equal("second", parsed.Data.ToStringUtf8());
    }

    [Fact]
    public void the_first_bytes_of_a_message_sent_with_data_last_show_every_other_field_and_where_the_data_begins()
    {
        GradientChunk sent = Sample(5000);
        var head = new ArrayBufferWriter<byte>();
        ReadOnlyMemory<byte> data = GradientChunkMarshaller.SerializeAllButData(sent, head);
        byte[] wire = [.. head.WrittenSpan, .. data.Span];
        GradientChunk withoutData = sent.Clone();
        withoutData.Data = ByteString.Empty;
        for (int cut = head.WrittenCount; cut <= head.WrittenCount + 600; cut += 37)
        {
            Assert.True(GradientChunkMarshaller.TryParseHead(new ReadOnlySequence<byte>(wire, 0, cut), wire.Length, out GradientChunk? header, out int dataStart));
            Assert.Equal(head.WrittenCount, dataStart);
            Assert.Equal(withoutData, header);
        }
        // The head ends before the data's length does; the data is not the last field; the length does not reach the end.
        Assert.False(GradientChunkMarshaller.TryParseHead(new ReadOnlySequence<byte>(wire, 0, head.WrittenCount - 1), wire.Length, out _, out _));
        Assert.False(GradientChunkMarshaller.TryParseHead(new ReadOnlySequence<byte>(wire), wire.Length + 3, out _, out _));
        byte[] dataFirst = [.. new GradientChunk { Data = ByteString.CopyFrom(new byte[100]) }.ToByteArray(), .. new GradientChunk { RunId = "r" }.ToByteArray()];
        Assert.False(GradientChunkMarshaller.TryParseHead(new ReadOnlySequence<byte>(dataFirst), dataFirst.Length, out _, out _));
        // Bytes that are not protobuf: no answer, and no exception.
        Assert.False(GradientChunkMarshaller.TryParseHead(new ReadOnlySequence<byte>([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]), 5000, out _, out _));
        Assert.False(GradientChunkMarshaller.TryParseHead(new ReadOnlySequence<byte>([0x0f, 1, 2, 3]), 5000, out _, out _));
    }

    [Fact]
    public void a_truncated_message_is_refused()
    {
        byte[] wire = Sample(100).ToByteArray();
        Assert.ThrowsAny<Exception>(() => Parse(new ReadOnlySequence<byte>(wire[..^10])));
    }

    [Fact]
    public void released_data_goes_back_to_the_pool_and_other_memory_is_left_alone()
    {
        GradientChunk parsed = Parse(new ReadOnlySequence<byte>(Sample(1 << 20).ToByteArray()));
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetMemoryManager(parsed.Data.Memory, out RentedBytes? _));
        RentedBytes.Release(parsed.Data.Memory);
        Assert.Throws<ObjectDisposedException>(() => parsed.Data.Span.ToArray());
        ByteString plain = ByteString.CopyFromUtf8("plain");
        RentedBytes.Release(plain.Memory);
        Assert.Equal("plain", plain.ToStringUtf8());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(200)]
    [InlineData(1 << 20)]
    public void the_head_and_the_returned_data_together_parse_to_the_message_sent(int bytes)
    {
        GradientChunk sent = Sample(bytes);
        var head = new ArrayBufferWriter<byte>();
        ReadOnlyMemory<byte> tail = GradientChunkMarshaller.Create().HeadSerializer!(sent, head);
        Assert.True(bytes == 0 ? tail.IsEmpty : tail.Span == sent.Data.Span, "the data goes out from the sender's own bytes, not a copy");
        byte[] wire = [.. head.WrittenSpan, .. tail.Span];
        Assert.Equal(sent.CalculateSize(), wire.Length);
        Assert.Equal(sent, GradientChunk.Parser.ParseFrom(wire));
        Assert.Equal(sent, Parse(new ReadOnlySequence<byte>(wire)));
    }

    private static ReadOnlySequence<byte> Segments(byte[] first, byte[] second)
    {
        var head = new Segment(first, 0);
        Segment tail = head.Append(second);
        return new ReadOnlySequence<byte>(head, 0, tail, second.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex) => (Memory, RunningIndex) = (memory, runningIndex);

        public Segment Append(ReadOnlyMemory<byte> memory) => (Segment)(Next = new Segment(memory, RunningIndex + Memory.Length));
    }
}
