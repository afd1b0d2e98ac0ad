namespace Orchestrator.Transport.Http2;

/// <summary>
/// Decodes HPACK's Huffman-coded string literals (RFC 7541, section 5.2 and Appendix B). The code is canonical, so
/// the table is only each symbol's code length; the codes follow from it (shorter codes first, then symbol order).
/// </summary>
internal static class HPackHuffman
{
    private const int EndOfString = 256;
    private const int LongestCode = 30;

    // Code lengths of symbols 0..255 and EOS (256), RFC 7541 Appendix B.
    private static readonly byte[] Lengths =
    [
        13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
        6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
        13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
        15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
        20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
        22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
        26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
        20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
        30,
    ];

    // Canonical decoding: per length, the first code and where its symbols start in SymbolsByCode.
    private static readonly uint[] FirstCode = new uint[LongestCode + 2];
    private static readonly int[] CountOfLength = new int[LongestCode + 1];
    private static readonly int[] FirstIndex = new int[LongestCode + 1];
    private static readonly int[] SymbolsByCode;

    static HPackHuffman()
    {
        SymbolsByCode = [.. Enumerable.Range(0, Lengths.Length).OrderBy(s => Lengths[s]).ThenBy(s => s)];
        foreach (byte length in Lengths) CountOfLength[length]++;
        uint code = 0;
        int index = 0;
        for (int length = 1; length <= LongestCode; length++)
        {
            FirstCode[length] = code;
            FirstIndex[length] = index;
            code = (code + (uint)CountOfLength[length]) << 1;
            index += CountOfLength[length];
        }
    }

    /// <summary>Decodes a Huffman-coded literal; a code for EOS, or padding that is not a short run of 1 bits, is a COMPRESSION_ERROR.</summary>
    public static byte[] Decode(ReadOnlySpan<byte> encoded)
    {
        var output = new List<byte>(encoded.Length * 8 / 5);
        uint code = 0;
        int length = 0;
        bool allOnes = true;
        foreach (byte b in encoded)
        {
            for (int bit = 7; bit >= 0; bit--)
            {
                int value = (b >> bit) & 1;
                code = (code << 1) | (uint)value;
                length++;
                allOnes &= value == 1;
                if (length > LongestCode) throw HPackDecoder.CompressionError("a Huffman code longer than 30 bits");
                uint offset = code - FirstCode[length];
                if (code < FirstCode[length] || offset >= CountOfLength[length]) continue;
                int symbol = SymbolsByCode[FirstIndex[length] + (int)offset];
                if (symbol == EndOfString) throw HPackDecoder.CompressionError("EOS inside a Huffman-coded string");
                output.Add((byte)symbol);
                (code, length, allOnes) = (0, 0, true);
            }
        }
        if (length > 7 || !allOnes) throw HPackDecoder.CompressionError("Huffman padding that is not the EOS prefix");
        return [.. output];
    }
}
