using System.Buffers;
using System.Text;

namespace Orchestrator.Transport.Http2;

/// <summary>
/// Encodes header blocks without touching either side's dynamic table: every field is a literal without indexing,
/// its name indexed when the static table has it, strings raw (Huffman is optional for encoders). A gRPC request's
/// headers are few and small, and a stateless encoder cannot fall out of step with the peer.
/// </summary>
internal static class HPackEncoder
{
    public static void Encode(IEnumerable<(string Name, string Value)> fields, IBufferWriter<byte> output)
    {
        foreach (var (name, value) in fields)
        {
            int nameIndex = HPackStaticTable.IndexOfName(name);
            WriteInteger(output, 4, nameIndex);
            if (nameIndex == 0) WriteString(output, name);
            WriteString(output, value);
        }
    }

    private static void WriteString(IBufferWriter<byte> output, string text)
    {
        int length = Encoding.Latin1.GetByteCount(text);
        WriteInteger(output, 7, length);
        Encoding.Latin1.GetBytes(text, output);
    }

    /// <summary>An HPACK integer with an N-bit prefix (RFC 7541, 5.1), the first byte's other bits 0: raw string, literal without indexing.</summary>
    private static void WriteInteger(IBufferWriter<byte> output, int prefixBits, int value)
    {
        Span<byte> bytes = output.GetSpan(6);
        int max = (1 << prefixBits) - 1;
        int written = 1;
        if (value < max)
        {
            bytes[0] = (byte)value;
        }
        else
        {
            bytes[0] = (byte)max;
            for (value -= max; value >= 0x80; value >>= 7) bytes[written++] = (byte)(0x80 | (value & 0x7F));
            bytes[written++] = (byte)value;
        }
        output.Advance(written);
    }
}
