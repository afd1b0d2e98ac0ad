using System.Buffers;
using Orchestrator.Transport.Http2;

namespace Orchestrator.Transport.Tests;

/// <summary>The HPACK decoder against RFC 7541's examples (Appendix C), the encoder by round trip, and malformed blocks.</summary>
public sealed class HPackTests
{
    private static readonly (string, string)[] Request1 = [(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com")];
    private static readonly (string, string)[] Request2 = [.. Request1, ("cache-control", "no-cache")];
    private static readonly (string, string)[] Request3 = [(":method", "GET"), (":scheme", "https"), (":path", "/index.html"), (":authority", "www.example.com"), ("custom-key", "custom-value")];

    [Theory]
    [InlineData("828684410f7777772e6578616d706c652e636f6d", "828684be58086e6f2d6361636865", "828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565")]
    [InlineData("828684418cf1e3c2e5f23a6ba0ab90f4ff", "828684be5886a8eb10649cbf", "828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf")]
    public void Request_examples_decode_in_sequence_with_their_dynamic_table(string first, string second, string third)
    {
        // C.3 (raw strings) and C.4 (Huffman): three requests on one connection, each reusing the table the last left.
        var decoder = new HPackDecoder(4096);
        Assert.Equal(Request1, decoder.Decode(Convert.FromHexString(first)));
        Assert.Equal(Request2, decoder.Decode(Convert.FromHexString(second)));
        Assert.Equal(Request3, decoder.Decode(Convert.FromHexString(third)));
    }

    [Fact]
    public void Response_examples_evict_the_oldest_entries_from_a_256_byte_table()
    {
        // C.6: Huffman-coded responses with a 256-byte table, so entries are evicted as new ones arrive.
        var decoder = new HPackDecoder(256);
        (string, string)[] first = [(":status", "302"), ("cache-control", "private"), ("date", "Mon, 21 Oct 2013 20:13:21 GMT"), ("location", "https://www.example.com")];
        Assert.Equal(first, decoder.Decode(Convert.FromHexString(
            "488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f0b97c8e9ae82ae43d3")));
        Assert.Equal([(":status", "307"), .. first[1..]], decoder.Decode(Convert.FromHexString("4883640effc1c0bf")));
        Assert.Equal([(":status", "200"), ("cache-control", "private"), ("date", "Mon, 21 Oct 2013 20:13:22 GMT"), ("location", "https://www.example.com"),
            ("content-encoding", "gzip"), ("set-cookie", "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1")],
            decoder.Decode(Convert.FromHexString(
                "88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007")));
        // The third response's set-cookie evicted the 307 and location entries: the table now holds 3 entries.
        Assert.Equal([("date", "Mon, 21 Oct 2013 20:13:22 GMT")], decoder.Decode([0xC0]));
        Assert.Throws<HttpProtocolException>(() => decoder.Decode([0xC1]));
    }

    [Fact]
    public void Encoded_blocks_decode_to_the_same_fields()
    {
        (string, string)[] fields =
        [
            (":method", "POST"), (":scheme", "http"), (":authority", "127.0.0.1:5001"), (":path", "/orchestrator.v1.Worker/PushGradients"),
            ("content-type", "application/grpc"), ("te", "trailers"), ("grpc-timeout", "1000m"), ("x-long", new string('v', 300)),
            ("x-bin-bin", "AAH/"), ("authorization", "Bearer t0ken"),
        ];
        var block = new ArrayBufferWriter<byte>();
        HPackEncoder.Encode(fields, block);
        Assert.Equal(fields, new HPackDecoder(4096).Decode(block.WrittenSpan));
    }

    [Theory]
    [InlineData("80", "header index 0")]
    [InlineData("ff00", "beyond")]
    [InlineData("0f", "ends inside an integer")]
    [InlineData("3fe21f", "table size update to 4097")]
    [InlineData("4085", "bytes left")]
    [InlineData("0085ffffffffff0100", "EOS")]
    [InlineData("00810001", "padding")]
    [InlineData("8220", "after a header field")]
    [InlineData("7fffffffff0f", "2^31-1")]
    public void Malformed_blocks_are_compression_errors_naming_the_problem(string hex, string problem)
    {
        var error = Assert.Throws<HttpProtocolException>(() => new HPackDecoder(4096).Decode(Convert.FromHexString(hex)));
        Assert.Equal(0x9, error.ErrorCode);
        Assert.Contains(problem, error.Message);
    }
}
